// Runs stridetune on raw float32 files written by numpy's .tofile(), for
// bench/numpy_seed.py:
//
//   stridetune_npy_runner input.f32 filter.f32 output.f32 N H W C FH FW K stride_h stride_w reps
//
// input NHWC [N][H][W][C], filter HWIO [FH][FW][C][K], no padding; writes the
// output NHWC [N][OH][OW][K] to output.f32. One warm-up call, then `reps`
// timed calls with the dispatcher's pick on all worker threads. Prints one
// JSON line: {"kernel", "isa", "median_ms", "min_ms", "threads", ...}.
// Exit 2 on bad arguments or files, 1 when stridetune raises.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "stridetune.h"

namespace {

[[noreturn]] void fail(const std::string &message, int code = 2) {
    std::cerr << "stridetune_npy_runner: " << message << "\n";
    std::exit(code);
}

int64_t parse_positive(const char *text, const char *name) {
    char *end = nullptr;
    const long long value = std::strtoll(text, &end, 10);
    if (end == text || *end != '\0' || value <= 0) fail(std::string(name) + " must be a positive integer, got '" + text + "'");
    return value;
}

std::vector<float> read_f32(const std::string &path, int64_t count, const char *what) {
    std::ifstream file(path, std::ios::binary | std::ios::ate);
    if (!file) fail(std::string("cannot open ") + what + " file '" + path + "'");
    const int64_t bytes = static_cast<int64_t>(file.tellg());
    const int64_t expected = count * static_cast<int64_t>(sizeof(float));
    if (bytes != expected)
        fail(std::string(what) + " file '" + path + "' has " + std::to_string(bytes) + " bytes, the dimensions need " +
             std::to_string(expected) + " (" + std::to_string(count) + " float32)");
    std::vector<float> data(count);
    file.seekg(0);
    if (!file.read(reinterpret_cast<char *>(data.data()), expected))
        fail(std::string("cannot read ") + what + " file '" + path + "'");
    return data;
}

std::string json_escape(const std::string &s) {
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (static_cast<unsigned char>(c) < 0x20) continue;
        out += c;
    }
    return out;
}

}  // namespace

int main(int argc, char **argv) {
    if (argc != 14) {
        std::cerr << "usage: " << argv[0]
                  << " input.f32 filter.f32 output.f32 N H W C FH FW K stride_h stride_w reps\n"
                     "  raw little-endian float32 files; input NHWC, filter HWIO, output NHWC; no padding\n";
        return 2;
    }
    const std::string input_path = argv[1], filter_path = argv[2], output_path = argv[3];
    const char *names[] = {"N", "H", "W", "C", "FH", "FW", "K", "stride_h", "stride_w", "reps"};
    int64_t v[10];
    for (int i = 0; i < 10; ++i) v[i] = parse_positive(argv[4 + i], names[i]);
    const int64_t N = v[0], H = v[1], W = v[2], C = v[3], FH = v[4], FW = v[5], K = v[6];
    const int stride_h = static_cast<int>(v[7]), stride_w = static_cast<int>(v[8]);
    const int reps = static_cast<int>(v[9]);
    if (FH > H || FW > W) fail("filter (" + std::to_string(FH) + "x" + std::to_string(FW) + ") larger than input (" +
                               std::to_string(H) + "x" + std::to_string(W) + ")");
    const int64_t OH = stridetune::output_extent(H, FH, stride_h, 1, 0, 0);
    const int64_t OW = stridetune::output_extent(W, FW, stride_w, 1, 0, 0);

    const std::vector<float> input = read_f32(input_path, N * H * W * C, "input");
    const std::vector<float> filter = read_f32(filter_path, FH * FW * C * K, "filter");
    std::vector<float> output(N * OH * OW * K);

    const auto in = stridetune::dense<const float>(input.data(), {N, H, W, C});
    const auto f = stridetune::dense<const float>(filter.data(), {FH, FW, C, K});
    const auto out = stridetune::dense(output.data(), {N, OH, OW, K});
    stridetune::ConvParams params;
    params.stride_h = stride_h;
    params.stride_w = stride_w;

    stridetune::Plan plan;
    std::vector<double> ms;
    try {
        plan = stridetune::convolve(in, f, out, params);  // warm-up
        for (int r = 0; r < reps; ++r) {
            const auto t0 = std::chrono::steady_clock::now();
            stridetune::convolve(in, f, out, params);
            const auto t1 = std::chrono::steady_clock::now();
            ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        }
    } catch (const std::exception &e) {
        fail(e.what(), 1);
    }

    {
        std::ofstream file(output_path, std::ios::binary | std::ios::trunc);
        if (!file.write(reinterpret_cast<const char *>(output.data()),
                        static_cast<std::streamsize>(output.size() * sizeof(float))))
            fail("cannot write output file '" + output_path + "'");
    }

    std::sort(ms.begin(), ms.end());
    const size_t n = ms.size();
    const double median = n % 2 ? ms[n / 2] : 0.5 * (ms[n / 2 - 1] + ms[n / 2]);
    std::printf("{\"kernel\": \"%s\", \"isa\": \"%s\", \"median_ms\": %.4f, \"min_ms\": %.4f, \"threads\": %d, "
                "\"reps\": %d, \"output_dims\": [%lld, %lld, %lld, %lld], \"reason\": \"%s\"}\n",
                json_escape(plan.kernel).c_str(), std::string(stridetune::to_string(plan.isa)).c_str(), median, ms[0],
                stridetune::num_threads(), reps, static_cast<long long>(N), static_cast<long long>(OH),
                static_cast<long long>(OW), static_cast<long long>(K), json_escape(plan.reason).c_str());
    return 0;
}
