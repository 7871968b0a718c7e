// The register tile of Assay's matrix product (Sources/AssayLearn/Math/MatrixProduct.swift packs and blocks around
// it). Swift compiles for baseline x86-64 (SSE2, no FMA) and has no per-function target attribute, so this one tile is
// C: an AVX2 + FMA version chosen at run time when the CPU has them, and a portable version otherwise.
#include "AssayKernels.h"

#define MR ASSAY_TILE_ROWS
#define NR ASSAY_TILE_COLS

void assay_gemm_tile_portable(int64_t depth, const double *a, const double *b, double *c, int64_t ldc, int accumulate) {
    double acc[MR][NR] = {{0}};
    for (int64_t p = 0; p < depth; p++) {
        const double *ap = a + p * MR, *bp = b + p * NR;
        for (int i = 0; i < MR; i++) {
            double ai = ap[i];
            for (int j = 0; j < NR; j++) acc[i][j] += ai * bp[j];
        }
    }
    for (int i = 0; i < MR; i++)
        for (int j = 0; j < NR; j++) c[i * ldc + j] = accumulate ? c[i * ldc + j] + acc[i][j] : acc[i][j];
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#include <cpuid.h>

__attribute__((target("avx2,fma")))
static void tile_avx2(int64_t depth, const double *a, const double *b, double *c, int64_t ldc, int accumulate) {
    __m256d c00 = _mm256_setzero_pd(), c01 = _mm256_setzero_pd(), c10 = _mm256_setzero_pd(), c11 = _mm256_setzero_pd();
    __m256d c20 = _mm256_setzero_pd(), c21 = _mm256_setzero_pd(), c30 = _mm256_setzero_pd(), c31 = _mm256_setzero_pd();
    __m256d c40 = _mm256_setzero_pd(), c41 = _mm256_setzero_pd(), c50 = _mm256_setzero_pd(), c51 = _mm256_setzero_pd();
    for (int64_t p = 0; p < depth; p++) {
        const double *ap = a + p * MR;
        __m256d b0 = _mm256_loadu_pd(b + p * NR), b1 = _mm256_loadu_pd(b + p * NR + 4), ai;
        ai = _mm256_broadcast_sd(ap + 0); c00 = _mm256_fmadd_pd(ai, b0, c00); c01 = _mm256_fmadd_pd(ai, b1, c01);
        ai = _mm256_broadcast_sd(ap + 1); c10 = _mm256_fmadd_pd(ai, b0, c10); c11 = _mm256_fmadd_pd(ai, b1, c11);
        ai = _mm256_broadcast_sd(ap + 2); c20 = _mm256_fmadd_pd(ai, b0, c20); c21 = _mm256_fmadd_pd(ai, b1, c21);
        ai = _mm256_broadcast_sd(ap + 3); c30 = _mm256_fmadd_pd(ai, b0, c30); c31 = _mm256_fmadd_pd(ai, b1, c31);
        ai = _mm256_broadcast_sd(ap + 4); c40 = _mm256_fmadd_pd(ai, b0, c40); c41 = _mm256_fmadd_pd(ai, b1, c41);
        ai = _mm256_broadcast_sd(ap + 5); c50 = _mm256_fmadd_pd(ai, b0, c50); c51 = _mm256_fmadd_pd(ai, b1, c51);
    }
    __m256d rows[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
    for (int i = 0; i < MR; i++) {
        double *ci = c + i * ldc;
        if (accumulate) {
            _mm256_storeu_pd(ci, _mm256_add_pd(_mm256_loadu_pd(ci), rows[i][0]));
            _mm256_storeu_pd(ci + 4, _mm256_add_pd(_mm256_loadu_pd(ci + 4), rows[i][1]));
        } else {
            _mm256_storeu_pd(ci, rows[i][0]);
            _mm256_storeu_pd(ci + 4, rows[i][1]);
        }
    }
}

/// AVX2 and FMA in the CPU, and the OS saving the YMM registers (OSXSAVE and XCR0 bits 1-2); k-NN's bounds scan asks too.
int assay_cpu_has_avx2_fma(void) {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    int fma = (ecx >> 12) & 1, osxsave = (ecx >> 27) & 1, avx = (ecx >> 28) & 1;
    if (!(fma && osxsave && avx)) return 0;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 6) != 6) return 0;
    if (__get_cpuid_max(0, 0) < 7) return 0;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    return (ebx >> 5) & 1;
}

typedef void (*tile_fn)(int64_t, const double *, const double *, double *, int64_t, int);
static tile_fn chosen = 0;

static tile_fn choose(void) {
    tile_fn f = chosen;
    if (!f) {
        f = assay_cpu_has_avx2_fma() ? tile_avx2 : assay_gemm_tile_portable;
        __atomic_store_n(&chosen, f, __ATOMIC_RELAXED);
    }
    return f;
}

void assay_gemm_tile(int64_t depth, const double *a, const double *b, double *c, int64_t ldc, int accumulate) {
    tile_fn f = __atomic_load_n(&chosen, __ATOMIC_RELAXED);
    if (!f) f = choose();
    f(depth, a, b, c, ldc, accumulate);
}

int assay_gemm_uses_fma(void) { return choose() == tile_avx2; }

#else

void assay_gemm_tile(int64_t depth, const double *a, const double *b, double *c, int64_t ldc, int accumulate) {
    assay_gemm_tile_portable(depth, a, b, c, ldc, accumulate);
}

int assay_gemm_uses_fma(void) { return 0; }

int assay_cpu_has_avx2_fma(void) { return 0; }

#endif
