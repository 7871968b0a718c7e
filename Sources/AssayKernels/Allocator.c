#include "AssayKernels.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

int assay_map_blocks_from(int64_t bytes) {
#if defined(__GLIBC__)
    return mallopt(M_MMAP_THRESHOLD, (int)bytes) == 1 ? 1 : 0;
#else
    (void)bytes;
    return 0;
#endif
}
