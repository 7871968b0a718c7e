#ifndef ASSAY_KERNELS_H
#define ASSAY_KERNELS_H

#include <stdint.h>

/// The register block of `assay_gemm_tile`: ASSAY_TILE_ROWS rows by ASSAY_TILE_COLS columns of the product.
#define ASSAY_TILE_ROWS 6
#define ASSAY_TILE_COLS 8

/// One register tile of a matrix product:
///   c[i * ldc + j] (= or +=) sum over p < depth of a[p * 6 + i] * b[p * 8 + j],   i < 6, j < 8,
/// with `a` and `b` packed micro-panels (6 and 8 values per step of the depth) and each sum taken in order of p
/// from 0, then added to c when `accumulate` is nonzero. Uses AVX2 and FMA when this CPU has them (one rounding per
/// multiply-add), otherwise a portable loop (two roundings); the choice is made once per process.
void assay_gemm_tile(int64_t depth, const double *a, const double *b, double *c, int64_t ldc, int accumulate);

/// The portable loop alone, whatever the CPU (tests compare it with the textbook loop, bit for bit).
void assay_gemm_tile_portable(int64_t depth, const double *a, const double *b, double *c, int64_t ldc, int accumulate);

/// 1 when `assay_gemm_tile` uses AVX2 + FMA on this CPU, 0 when it uses the portable loop.
int assay_gemm_uses_fma(void);

/// 1 when the CPU has AVX2 and FMA and the OS saves their registers (x86-64 only; 0 elsewhere).
int assay_cpu_has_avx2_fma(void);

/// The first i < count with  d - (factor * (sum + |d|) + floor) <= limit,  where sum = query_norm + norms[i] and
/// d = sum - 2 * dots[i] (each operation rounded once, in that order), or count when there is none: k-NN's product
/// search skips to the next training row whose lower bound on its distance does not exceed the k-th upper bound.
int64_t assay_first_within(const double *dots, const double *norms, int64_t count, double query_norm, double factor,
                           double floor, double limit);

/// glibc only (elsewhere nothing): gives the memory freed in glibc's heaps back to the system (`malloc_trim`). A
/// run's tasks each allocate and free column- and matrix-sized arrays on two or more threads, whose heaps otherwise
/// keep the freed space; the planner calls this after every task.
void assay_release_free_memory(void);

#endif
