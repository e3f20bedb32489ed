#!/usr/bin/env python3
"""Writes fuzz_plan's seed corpus, corpus/fuzz_plan/, in the input layout fuzz_plan.cpp describes.

usage: make_plan_seeds.py
A handful of problems: accepted ones (dense, cropped, sharing a buffer, with
each option) and refused ones near the limits, so that mutations start on
both sides of validation.
"""
import pathlib
import re

OUTPUT_DIMS_EXPECTED, INPUT_DENSE, FILTER_DENSE, OUTPUT_DENSE = 0x01, 0x02, 0x04, 0x08
MAX_ISA, SCHEDULE, VARIANT, SHARED_BUFFER = 0x10, 0x20, 0x40, 0x80
DENSE = OUTPUT_DIMS_EXPECTED | INPUT_DENSE | FILTER_DENSE | OUTPUT_DENSE
ISAS = ["sse41", "avx2", "avx512"]
# The schedules in builtin_kernels.def's order: the order of stridetune::all_schedules.
TABLE = pathlib.Path(__file__).resolve().parent.parent / "runtime/include/stridetune/builtin_kernels.def"
SCHEDULES = re.findall(r"^STRIDETUNE_KERNEL\((\w+),", TABLE.read_text(), re.MULTILINE)


def integer(value: int, width: int = 8) -> bytes:
    if -32 <= value < 96:
        return bytes([value + 32])
    return bytes([0x80]) + value.to_bytes(width, "little", signed=True)


def integers(values, width: int = 8) -> bytes:
    return b"".join(integer(v, width) for v in values)


def problem(flags: int, input_dims, filter_dims, params=(1, 1, 1, 1, 0, 0, 0, 0), output_dims=(),
            strides=((), (), ()), offsets=(), options=b"") -> bytes:
    """strides: per tensor, read unless its dense flag is set; offsets: with SHARED_BUFFER, one a tensor."""
    tensors = [integers(input_dims) + integers(strides[0]), integers(filter_dims) + integers(strides[1]),
               integers(output_dims) + integers(strides[2])]
    if flags & SHARED_BUFFER:
        tensors = [t + bytes([o]) for t, o in zip(tensors, offsets)]
    return bytes([flags]) + tensors[0] + tensors[1] + integers(params, 4) + tensors[2] + options


def name(text: str) -> bytes:
    """A variant option naming a kernel by its characters (a choice past the built ones)."""
    return bytes([255, len(text)]) + text.encode()


SEEDS = {
    # tests/bad_input_test.cpp's valid call: 2x9x10x3 * 3x3x3x4 -> 2x7x8x4.
    "dense_3x3": problem(DENSE, (2, 9, 10, 3), (3, 3, 3, 4)),
    # The seed problem, its output dims given: stride 2, 4x4 filter, 221 -> 109.
    "seed_stride2": problem(INPUT_DENSE | FILTER_DENSE | OUTPUT_DENSE, (64, 221, 221, 3), (4, 4, 3, 5),
                            (2, 2, 1, 1, 0, 0, 0, 0), (64, 109, 109, 5)),
    # A crop of a larger NHWC image, and an output written with rows reversed.
    "cropped_views": problem(OUTPUT_DIMS_EXPECTED | FILTER_DENSE, (1, 8, 8, 4), (3, 3, 4, 8),
                             (2, 2, 2, 2, 1, 1, 1, 1), strides=((4096, 256, 8, 1), (), (72, -24, 8, 1))),
    # All three in one small buffer: disjoint, then the output over the filter.
    "shared_disjoint": problem(DENSE | SHARED_BUFFER, (1, 5, 5, 2), (3, 3, 2, 2), offsets=(0, 8, 16)),
    "shared_overlapping": problem(DENSE | SHARED_BUFFER, (1, 5, 5, 2), (3, 3, 2, 2), offsets=(0, 8, 9)),
    # Each option: a forced schedule at sse41, an autoscheduled kernel (its bounds query runs), a variant by name.
    "options_gemm_sse41": problem(DENSE | MAX_ISA | SCHEDULE, (1, 16, 16, 8), (1, 1, 8, 16), (2, 2, 1, 1, 0, 0, 0, 0),
                                  options=bytes([ISAS.index("sse41"), SCHEDULES.index("gemm_tile")])),
    "options_adams2019": problem(DENSE | SCHEDULE, (1, 12, 12, 16), (3, 3, 16, 16),
                                 options=bytes([SCHEDULES.index("adams2019")])),
    "options_variant_name": problem(DENSE | VARIANT, (1, 9, 9, 3), (3, 3, 3, 4), options=name("direct_pixels")),
    # Near the limits: pads at the params' 2^16 (accepted); a height the kernels' 32-bit coordinates reach
    # (accepted) and one whose tile slack passes them (refused); an input spanning more than 2^31 elements.
    "pad_limit": problem(DENSE, (1, 4, 4, 1), (1, 1, 1, 1), (1, 1, 1, 1, 1 << 16, 0, 1 << 16, 0)),
    "height_within_index_range": problem(DENSE, (1, 2**31 - 100, 1, 1), (1, 1, 1, 1)),
    "height_past_index_range": problem(DENSE, (1, 2**31 - 32, 1, 1), (1, 1, 1, 1)),
    "huge_input": problem(DENSE, (1, 2**31 - 1, 4, 1), (3, 3, 1, 1)),
}


def main() -> None:
    out = pathlib.Path(__file__).resolve().parent / "corpus" / "fuzz_plan"
    out.mkdir(parents=True, exist_ok=True)
    for seed, data in SEEDS.items():
        (out / seed).write_bytes(data)


if __name__ == "__main__":
    main()
