// stridetune: strided 2-D convolution kernels generated ahead of time by
// Halide, one object per kernel per ISA level, picked at runtime.
#pragma once

#include "stridetune/convolution.h"
#include "stridetune/descriptor.h"
#include "stridetune/error.h"
#include "stridetune/isa.h"
#include "stridetune/parameters.h"
#include "stridetune/post_ops.h"
#include "stridetune/tensor.h"
