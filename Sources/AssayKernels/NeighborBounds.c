// k-NN's Euclidean brute force (Sources/AssayLearn/Models/Neighbors) drops most training rows by a lower bound on
// their distance formed from a dot product; this scans for the next row it cannot drop, four at a time with AVX2 when
// the CPU has it. Every step is one IEEE operation in the order written (no contraction into FMA), so both versions
// give the bound Swift's formula gives, bit for bit.
#include "AssayKernels.h"

#pragma STDC FP_CONTRACT OFF

static int64_t first_within_portable(const double *dots, const double *norms, int64_t count, double query_norm,
                                     double factor, double floor, double limit) {
    for (int64_t i = 0; i < count; i++) {
        double sum = query_norm + norms[i], d = sum - 2 * dots[i];
        double margin = factor * (sum + (d < 0 ? -d : d)) + floor;
        if (d - margin <= limit) return i;
    }
    return count;
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

__attribute__((target("avx2")))
static int64_t first_within_avx2(const double *dots, const double *norms, int64_t count, double query_norm,
                                 double factor, double floor, double limit) {
    const __m256d qn = _mm256_set1_pd(query_norm), f = _mm256_set1_pd(factor), fl = _mm256_set1_pd(floor);
    const __m256d lim = _mm256_set1_pd(limit), two = _mm256_set1_pd(2), sign = _mm256_set1_pd(-0.0);
    int64_t i = 0;
    for (; i + 4 <= count; i += 4) {
        __m256d sum = _mm256_add_pd(qn, _mm256_loadu_pd(norms + i));
        __m256d d = _mm256_sub_pd(sum, _mm256_mul_pd(two, _mm256_loadu_pd(dots + i)));
        __m256d margin = _mm256_add_pd(_mm256_mul_pd(f, _mm256_add_pd(sum, _mm256_andnot_pd(sign, d))), fl);
        int mask = _mm256_movemask_pd(_mm256_cmp_pd(_mm256_sub_pd(d, margin), lim, _CMP_LE_OQ));
        if (mask) return i + __builtin_ctz((unsigned)mask);
    }
    return i + first_within_portable(dots + i, norms + i, count - i, query_norm, factor, floor, limit);
}

typedef int64_t (*within_fn)(const double *, const double *, int64_t, double, double, double, double);
static within_fn chosen = 0;

int64_t assay_first_within(const double *dots, const double *norms, int64_t count, double query_norm, double factor,
                           double floor, double limit) {
    within_fn f = __atomic_load_n(&chosen, __ATOMIC_RELAXED);
    if (!f) {
        f = assay_cpu_has_avx2_fma() ? first_within_avx2 : first_within_portable;
        __atomic_store_n(&chosen, f, __ATOMIC_RELAXED);
    }
    return f(dots, norms, count, query_norm, factor, floor, limit);
}

#else

int64_t assay_first_within(const double *dots, const double *norms, int64_t count, double query_norm, double factor,
                           double floor, double limit) {
    return first_within_portable(dots, norms, count, query_norm, factor, floor, limit);
}

#endif
