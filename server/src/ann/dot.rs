//! Dot products of unit vectors: f32 by f32, and a row held as f16 by an
//! f32 query (the index holds its vectors as f16, as the store does). On
//! x86-64 CPUs with AVX2 and FMA (and F16C for f16 rows), checked at run
//! time, eight lanes at a time; elsewhere portable loops that the compiler
//! vectorises. This module knows slices of numbers only.

use half::f16;

/// Dot product. On x86-64 CPUs with AVX2 and FMA (checked once at run time)
/// eight lanes at a time with fused multiply-adds; elsewhere the portable
/// loop below, which the compiler vectorises for the baseline target.
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU has the features `dot_avx2` is compiled for.
            return unsafe { dot_avx2(a, b) };
        }
    }
    dot_portable(a, b)
}

/// Unrolled into 8 independent accumulators so the compiler vectorises it
/// (a plain iterator sum measured several times slower).
#[inline]
fn dot_portable(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let mut acc = [0.0f32; 8];
    let chunks = n / 8;
    for i in 0..chunks {
        let (x, y) = (&a[i * 8..i * 8 + 8], &b[i * 8..i * 8 + 8]);
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    let mut sum: f32 = acc.iter().sum();
    for i in chunks * 8..n {
        sum += a[i] * b[i];
    }
    sum
}

/// Four 8-lane accumulators (32 floats a step) hide the latency of the
/// fused multiply-add; the tail goes through the portable loop.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn dot_avx2(a: &[f32], b: &[f32]) -> f32 {
    use std::arch::x86_64::*;
    let n = a.len().min(b.len());
    let steps = n / 32;
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    // SAFETY: every load reads 8 floats at an offset below `steps * 32 <= n`.
    unsafe {
        let mut acc = [_mm256_setzero_ps(); 4];
        for step in 0..steps {
            let at = step * 32;
            for (lane, sum) in acc.iter_mut().enumerate() {
                let offset = at + lane * 8;
                *sum = _mm256_fmadd_ps(_mm256_loadu_ps(pa.add(offset)), _mm256_loadu_ps(pb.add(offset)), *sum);
            }
        }
        let total = _mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3]));
        let mut lanes = [0.0f32; 8];
        _mm256_storeu_ps(lanes.as_mut_ptr(), total);
        lanes.iter().sum::<f32>() + dot_portable(&a[steps * 32..n], &b[steps * 32..n])
    }
}

/// The dot product of a row held as f16 and an f32 vector: the same number
/// as [`dot`] of the row's f32 values, without making them.
#[inline]
pub fn dot_f16(a: &[f16], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") && std::is_x86_feature_detected!("f16c") {
            // SAFETY: the CPU has the features `dot_f16_avx2` is compiled for.
            return unsafe { dot_f16_avx2(a, b) };
        }
    }
    dot_f16_portable(a, b)
}

/// [`dot_f16`] a block of 8 at a time, through a buffer of f32.
#[inline]
fn dot_f16_portable(a: &[f16], b: &[f32]) -> f32 {
    use half::slice::HalfFloatSliceExt;
    let mut sum = 0.0;
    let mut block = [0.0f32; 8];
    for (x, y) in a.chunks(8).zip(b.chunks(8)) {
        let block = &mut block[..x.len()];
        x.convert_to_f32_slice(block);
        sum += dot_portable(block, y);
    }
    sum
}

/// [`dot_avx2`] with the row's halves widened by F16C as they are loaded.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,f16c")]
unsafe fn dot_f16_avx2(a: &[f16], b: &[f32]) -> f32 {
    use std::arch::x86_64::*;
    let n = a.len().min(b.len());
    let steps = n / 32;
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    // SAFETY: every load reads 8 values at an offset below `steps * 32 <= n`;
    // f16 is a 2-byte plain value, so 8 of them are one 128-bit load.
    unsafe {
        let mut acc = [_mm256_setzero_ps(); 4];
        for step in 0..steps {
            let at = step * 32;
            for (lane, sum) in acc.iter_mut().enumerate() {
                let offset = at + lane * 8;
                let wide = _mm256_cvtph_ps(_mm_loadu_si128(pa.add(offset) as *const __m128i));
                *sum = _mm256_fmadd_ps(wide, _mm256_loadu_ps(pb.add(offset)), *sum);
            }
        }
        let total = _mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3]));
        let mut lanes = [0.0f32; 8];
        _mm256_storeu_ps(lanes.as_mut_ptr(), total);
        lanes.iter().sum::<f32>() + dot_f16_portable(&a[steps * 32..n], &b[steps * 32..n])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_matches_naive() {
        // Lengths around the 8- and 32-float steps, and the model's 384.
        for n in [0, 1, 7, 8, 19, 31, 32, 33, 64, 100, 384] {
            let a: Vec<f32> = (0..n).map(|i| (i as f32 * 0.37).sin()).collect();
            let b: Vec<f32> = (0..n).map(|i| (i as f32 * 0.11).cos()).collect();
            let naive: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            assert!((dot(&a, &b) - naive).abs() < 1e-4, "n = {n}");
            assert!((dot_portable(&a, &b) - naive).abs() < 1e-4, "n = {n}");
            // Unequal lengths: the shorter one counts.
            assert!((dot(&a, &b[..n / 2]) - dot_portable(&a[..n / 2], &b[..n / 2])).abs() < 1e-4, "n = {n}");
        }
    }

    /// Lengths around the 32-lane steps and the 8-lane tail.
    #[test]
    fn an_f16_row_gives_the_dot_of_its_f32_values() {
        for n in [0, 1, 7, 8, 31, 32, 33, 256, 384, 390] {
            let a: Vec<f32> = (0..n).map(|i| ((i as f32) * 0.37).sin()).collect();
            let b: Vec<f32> = (0..n).map(|i| ((i as f32) * 0.11).cos()).collect();
            let halves: Vec<f16> = a.iter().map(|&x| f16::from_f32(x)).collect();
            let widened: Vec<f32> = halves.iter().map(|h| h.to_f32()).collect();
            let (exact, fast, portable) = (dot(&widened, &b), dot_f16(&halves, &b), dot_f16_portable(&halves, &b));
            assert!((exact - fast).abs() <= 1e-4 * (1.0 + exact.abs()), "n={n}: {fast} vs {exact}");
            assert!((exact - portable).abs() <= 1e-4 * (1.0 + exact.abs()), "n={n}: {portable} vs {exact}");
        }
    }
}
