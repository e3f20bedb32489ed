#include "stridetune/descriptor.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <ostream>
#include <sstream>

#include "stridetune/error.h"

namespace stridetune {
namespace {

constexpr int64_t value_limit = std::numeric_limits<int32_t>::max();

// The fields, in the canonical order.
enum Field { g, mb, ic, ih, iw, oc, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, id, od, kd, sd, pd, dd, field_count };
constexpr const char *field_names[field_count] = {"g",  "mb", "ic", "ih", "iw", "oc", "oh", "ow",
                                                  "kh", "kw", "sh", "sw", "ph", "pw", "dh", "dw",
                                                  "id", "od", "kd", "sd", "pd", "dd"};

bool is_3d(int f) {
    return f >= id;
}

// A problem with the descriptor text; `three_d` when it is (only) that the
// descriptor is a 3-D one.
struct ParseFailure {
    std::string message;
    bool three_d = false;
};

[[noreturn]] void fail(const std::string &message) {
    throw ParseFailure{message};
}

std::string column(size_t offset) {
    return "column " + std::to_string(offset + 1);
}

bool is_space(char c) {
    return std::isspace(static_cast<unsigned char>(c)) != 0;
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool is_alpha(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) != 0;
}

struct Given {
    int64_t value;
    size_t offset;  // of the field name in the text
};

struct Tokens {
    std::optional<Given> fields[field_count];
    PostOps post_ops;
    std::string name;
    int64_t occurrences = 1;
};

// The post-ops, in the order they are applied (post_ops.h) and must be written.
enum PostOp { bias_op, sum_op, relu_op, clip_op, post_op_count };
struct PostOpSyntax {
    const char *name;
    int numbers;        // each after a ':'
    const char *usage;  // for the messages
};
constexpr PostOpSyntax post_op_syntax[post_op_count] = {
    {"bias", 0, "+bias"}, {"sum", 1, "+sum:S"}, {"relu", 1, "+relu:A"}, {"clip", 2, "+clip:LO:HI"}};
const std::string post_op_usage = "post-ops: +bias +sum:S +relu:A +clip:LO:HI, each at most once, in this order";

// What may follow a post-op: the next one, the name, or the end.
bool ends_post_op(std::string_view text, size_t offset) {
    return offset == text.size() || text[offset] == '+' || text[offset] == 'n';
}

// The shortest text that reads back as `value` (to_chars), "inf"/"-inf" for
// the infinities. The exponent loses its '+' and leading zeros (1e+10 is
// 1e10, 1e-05 is 1e-5): easier to read, and the only '+' of a descriptor
// then starts a post-op. -0 is written 0: it equals 0, and so must have its key.
std::string float_text(float value) {
    if (value == 0) value = 0;
    char buffer[32];
    const std::to_chars_result written = std::to_chars(buffer, buffer + sizeof(buffer), value);
    std::string text(buffer, written.ptr);
    const size_t e = text.find('e');
    if (e != std::string::npos) {
        size_t digits = e + 1;
        if (text[digits] == '+') {
            text.erase(digits, 1);
        } else if (text[digits] == '-') {
            digits++;
        }
        while (digits + 1 < text.size() && text[digits] == '0') text.erase(digits, 1);
    }
    return text;
}

// The float at `offset` in `text`, in the post-op `op` describes; `offset`
// moves past it. from_chars reads back what to_chars writes, and takes no
// leading '+': the next post-op's '+' ends a number.
float read_float(std::string_view text, size_t &offset, const std::string &op) {
    float value = 0;
    const char *start = text.data() + offset;
    const auto [end, error] = std::from_chars(start, text.data() + text.size(), value);
    const std::string where = " at " + column(offset) + " in " + op;
    if (error == std::errc::invalid_argument) {
        if (ends_post_op(text, offset) || text[offset] == ':') fail("missing number" + where);
        size_t bad = offset;
        while (bad < text.size() && text[bad] != '+' && text[bad] != ':' && bad - offset < 10) bad++;
        fail("bad number \"" + std::string(text.substr(offset, bad - offset)) + "\"" + where +
             " (a decimal float, inf or -inf)");
    }
    const std::string number(start, end);
    if (error == std::errc::result_out_of_range) fail("number " + number + where + " is out of the range of float");
    if (std::isnan(value)) fail("number " + number + where + " is NaN");
    offset += number.size();
    return value;
}

// The post-ops from the '+' at `i` on, into `post_ops`; returns the offset
// after them, where only the name or the end may follow.
size_t tokenize_post_ops(std::string_view text, size_t i, PostOps &post_ops) {
    std::optional<Given> previous;  // value: the index in post_op_syntax
    while (i < text.size() && text[i] == '+') {
        int op = -1;
        for (int k = 0; k < post_op_count; k++) {
            if (text.substr(i + 1, std::strlen(post_op_syntax[k].name)) == post_op_syntax[k].name) {
                op = k;
                break;
            }
        }
        if (op < 0) {
            size_t end = i + 1;
            while (end < text.size() && is_alpha(text[end]) && end - i < 8) end++;
            fail("unknown post-op \"" + std::string(text.substr(i, end - i)) + "\" at " + column(i) + " (" +
                 post_op_usage + ")");
        }
        const PostOpSyntax &syntax = post_op_syntax[op];
        const std::string quoted_op = "\"+" + std::string(syntax.name) + "\"";
        const std::string described = quoted_op + " at " + column(i);
        if (previous && previous->value == op) {
            fail(quoted_op + " given twice, at " + column(previous->offset) + " and " + column(i));
        }
        if (previous && previous->value > op) {
            fail(described + " comes after \"+" + post_op_syntax[previous->value].name + "\" at " +
                 column(previous->offset) + " (" + post_op_usage + ")");
        }
        previous = Given{op, i};
        size_t end = i + 1 + std::strlen(syntax.name);
        float numbers[2] = {};
        for (int n = 0; n < syntax.numbers; n++) {
            if (end == text.size() || text[end] != ':') {
                fail("missing \":\" at " + column(end) + " in " + described + " (" + syntax.usage + ")");
            }
            end++;
            numbers[n] = read_float(text, end, described);
        }
        if (!ends_post_op(text, end)) {
            fail("unexpected \"" + std::string(1, text[end]) + "\" at " + column(end) + " after " + described + " (" +
                 syntax.usage + "; then another post-op, the name or the end: the fields come first)");
        }
        switch (op) {
            case bias_op: post_ops.bias = true; break;
            case sum_op: post_ops.sum = numbers[0]; break;
            case relu_op: post_ops.relu = numbers[0]; break;
            case clip_op:
                if (numbers[0] > numbers[1]) {
                    fail("clip lower bound " + float_text(numbers[0]) + " is above the upper bound " +
                         float_text(numbers[1]) + " in " + described);
                }
                post_ops.clip = PostOps::Clip{numbers[0], numbers[1]};
                break;
        }
        i = end;
    }
    return i;
}

// `name` without quotes: a trailing *N (digits only) is the occurrence count.
void split_occurrences(std::string name, size_t offset, Tokens &t) {
    const size_t star = name.rfind('*');
    if (star != std::string::npos && star + 1 < name.size()) {
        bool digits = true;
        for (size_t i = star + 1; i < name.size(); i++) digits = digits && is_digit(name[i]);
        if (digits) {
            const std::string count = name.substr(star + 1);
            if (count.size() > 10 || std::stoll(count) > value_limit) {
                fail("name's occurrence count *" + count + " at " + column(offset + star) + " is too large");
            }
            t.occurrences = std::stoll(count);
            if (t.occurrences == 0) {
                fail("name's occurrence count *" + count + " at " + column(offset + star) + " must be positive");
            }
            name.resize(star);
        }
    }
    t.name = std::move(name);
}

Tokens tokenize(std::string_view text) {
    Tokens t;
    size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (c == '_') {
            i++;
            continue;
        }
        if (is_space(c)) fail("unexpected whitespace at " + column(i) + " (one descriptor a line, no spaces)");
        if (c == 'n') {  // the name, last
            const size_t start = i + 1;
            if (start < text.size() && text[start] == '"') {
                const size_t close = text.find('"', start + 1);
                if (close == std::string_view::npos) {
                    fail("unterminated name: the quote at " + column(start) + " is not closed");
                }
                for (size_t j = close + 1; j < text.size(); j++) {
                    if (!is_space(text[j])) {
                        fail("unexpected text after the name at " + column(j) + ": the name must come last");
                    }
                }
                split_occurrences(std::string(text.substr(start + 1, close - start - 1)), start + 1, t);
            } else {
                std::string_view rest = text.substr(start);
                while (!rest.empty() && is_space(rest.back())) rest.remove_suffix(1);
                split_occurrences(std::string(rest), start, t);
            }
            break;
        }
        if (c == '+') {  // the post-ops, after the fields
            i = tokenize_post_ops(text, i, t.post_ops);
            continue;
        }
        int field = -1;
        for (int f = 0; f < field_count; f++) {
            if (text.substr(i, std::string_view(field_names[f]).size()) == field_names[f]) {
                field = f;
                break;
            }
        }
        if (field < 0) {
            size_t end = i;
            while (end < text.size() && is_alpha(text[end]) && end - i < 8) end++;
            const std::string found = end > i ? std::string(text.substr(i, end - i)) : std::string(1, c);
            fail("unknown field \"" + found + "\" at " + column(i) +
                 " (fields: g mb ic ih iw oc oh ow kh kw sh sw ph pw dh dw, then +post-ops, then n\"name\")");
        }
        const std::string fname = field_names[field];
        const size_t number = i + fname.size();
        if (number < text.size() && (text[number] == '-' || text[number] == '+')) {
            fail("\"" + fname + "\" at " + column(i) + " has a signed number: values are non-negative");
        }
        size_t end = number;
        while (end < text.size() && is_digit(text[end])) end++;
        if (end == number) fail("missing number after \"" + fname + "\" at " + column(i));
        const std::string digits(text.substr(number, end - number));
        if (digits.size() > 10 || std::stoll(digits) > value_limit) {
            fail("\"" + fname + "\" at " + column(i) + " is too large: " + digits + " (at most " +
                 std::to_string(value_limit) + ")");
        }
        if (t.fields[field]) {
            fail("\"" + fname + "\" given twice, at " + column(t.fields[field]->offset) + " and " + column(i));
        }
        t.fields[field] = Given{std::stoll(digits), i};
        i = end;
    }
    return t;
}

// One spatial axis: sizes in benchdnn's terms (d: gaps between taps).
struct Axis {
    int64_t in = 0, k = 0, out = 0, s = 1, d = 0, p = 0, p_end = 0;
};

int64_t span(const Axis &a) {
    return (a.k - 1) * (a.d + 1) + 1;
}

// Completes the output size or the padding, then the end padding.
// `a` holds in, k, s, d; out and p as given (nullopt: missing).
void deduce(Axis &a, std::optional<int64_t> out, std::optional<int64_t> p, char axis) {
    const std::string x(1, axis);
    const std::string described = "i" + x + " " + std::to_string(a.in) + ", k" + x + " " + std::to_string(a.k) +
                                  ", s" + x + " " + std::to_string(a.s) + ", d" + x + " " + std::to_string(a.d);
    if (span(a) > value_limit) {
        fail("the dilated kernel along " + x + " (" + described + ") spans " + std::to_string(span(a)) +
             " elements, too many (at most " + std::to_string(value_limit) + ")");
    }
    if (!out) {
        a.p = p.value_or(0);
        const int64_t padded = a.in + 2 * a.p;
        if (padded < span(a)) {
            fail("empty effective input along " + x + ": " + described + ", p" + x + " " + std::to_string(a.p) +
                 ": the padded input (" + std::to_string(padded) + ") is shorter than the dilated kernel (" +
                 std::to_string(span(a)) + ")");
        }
        a.out = (padded - span(a)) / a.s + 1;
    } else {
        a.out = *out;
        if (p) {
            a.p = *p;
        } else {
            const int64_t twice = (a.out - 1) * a.s - a.in + span(a);
            a.p = twice > 0 ? twice / 2 : 0;
        }
    }
    a.p_end = (a.out - 1) * a.s + span(a) - a.in - a.p;
    if (a.p_end < 0) {
        if (a.p_end > -a.s) {
            a.p_end = 0;  // the last -p_end input rows are unread either way
        } else {
            const int64_t natural = (a.in + a.p - span(a)) / a.s + 1;
            fail("o" + x + " " + std::to_string(a.out) + " is inconsistent with " + described + ", p" + x + " " +
                 std::to_string(a.p) + ": with no end padding they give o" + x + " " + std::to_string(natural) +
                 " (o" + x + " " + std::to_string(a.out) + " would need end padding " + std::to_string(a.p_end) +
                 ", which cannot be expressed)");
        }
    }
    if (a.p > value_limit || a.p_end > value_limit || a.out > value_limit) {
        fail("the " + x + "-axis padding or output size is too large");
    }
}

ConvDescriptor build(const Tokens &t) {
    for (int f = 0; f < field_count; f++) {
        if (is_3d(f) && t.fields[f]) {
            throw ParseFailure{"\"" + std::string(field_names[f]) + "\" at " + column(t.fields[f]->offset) +
                                   ": 3-D (id/kd/...) problems are not supported",
                               true};
        }
    }
    const auto has = [&](Field f) { return t.fields[f].has_value(); };
    const auto get = [&](Field f) { return t.fields[f] ? std::optional<int64_t>(t.fields[f]->value) : std::nullopt; };
    for (Field f : {g, mb, ic, oc, ih, iw, oh, ow, kh, kw, sh, sw}) {
        if (t.fields[f] && t.fields[f]->value == 0) {
            fail("\"" + std::string(field_names[f]) + "\" at " + column(t.fields[f]->offset) + " is 0, must be positive");
        }
    }
    if (!has(ic)) fail("ic missing (input channels are required)");
    if (!has(oc)) fail("oc missing (output channels are required)");

    ConvDescriptor d;
    d.groups = get(g).value_or(1);
    d.mb = get(mb).value_or(2);
    d.ic = *get(ic);
    d.oc = *get(oc);
    if (d.ic % d.groups != 0 || d.oc % d.groups != 0) {
        fail("g " + std::to_string(d.groups) + " does not divide ic " + std::to_string(d.ic) + " and oc " +
             std::to_string(d.oc));
    }

    const bool h_given = has(ih) || has(kh) || has(oh) || has(dh) || get(sh).value_or(1) != 1 ||
                         get(ph).value_or(0) != 0;
    const bool w_given = has(iw) || has(kw) || has(ow) || has(dw) || has(sw) || has(pw);
    Axis h, w;
    if (h_given) {
        if (!has(ih)) fail("ih missing (the input height is required)");
        if (!has(kh)) fail("kh missing (the kernel height is required)");
        h.in = *get(ih), h.k = *get(kh), h.s = get(sh).value_or(1), h.d = get(dh).value_or(0);
        deduce(h, get(oh), get(ph), 'h');
        if (!w_given) {
            w = h;
        } else {
            w.in = get(iw).value_or(h.in), w.k = get(kw).value_or(h.k), w.s = get(sw).value_or(h.s),
            w.d = get(dw).value_or(h.d);
            if (!has(ow) && !has(pw)) {
                if (w.in == h.in && w.k == h.k && w.s == h.s && w.d == h.d) {
                    w = h;
                } else {
                    deduce(w, std::nullopt, h.p, 'w');
                }
            } else {
                deduce(w, get(ow), get(pw), 'w');
            }
        }
    } else {
        if (!w_given) fail("no spatial sizes: give ih and kh (2-D) or iw and kw (1-D)");
        if (!has(iw)) fail("iw missing (a 1-D descriptor needs the input width)");
        if (!has(kw)) fail("kw missing (a 1-D descriptor needs the kernel width)");
        h.in = h.k = h.out = 1;
        w.in = *get(iw), w.k = *get(kw), w.s = get(sw).value_or(1), w.d = get(dw).value_or(0);
        deduce(w, get(ow), get(pw), 'w');
    }
    if (h.d + 1 > value_limit || w.d + 1 > value_limit) fail("dilation too large");

    d.ih = h.in, d.kh = h.k, d.oh = h.out;
    d.iw = w.in, d.kw = w.k, d.ow = w.out;
    d.params.stride_h = int(h.s), d.params.stride_w = int(w.s);
    d.params.dilation_h = int(h.d + 1), d.params.dilation_w = int(w.d + 1);
    d.params.pad_top = int(h.p), d.params.pad_bottom = int(h.p_end);
    d.params.pad_left = int(w.p), d.params.pad_right = int(w.p_end);
    d.post_ops = t.post_ops;
    d.name = t.name;
    d.occurrences = t.occurrences;
    return d;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

// The descriptor, or ParseFailure. Columns count from the start of `text`.
ConvDescriptor parse(std::string_view text) {
    size_t lead = 0;
    while (lead < text.size() && is_space(text[lead])) lead++;
    if (trim(text).empty()) fail("empty descriptor");
    // Trailing whitespace only: tokenize() rejects whitespace inside.
    std::string_view body = text;
    while (!body.empty() && is_space(body.back())) body.remove_suffix(1);
    std::string padded(lead, '_');  // keeps the columns of the original text
    padded += body.substr(lead);
    return build(tokenize(padded));
}

std::string quoted(std::string_view text) {
    return "\"" + std::string(trim(text)) + "\"";
}

bool ends_in_count(const std::string &name) {
    const size_t star = name.rfind('*');
    if (star == std::string::npos || star + 1 == name.size()) return false;
    for (size_t i = star + 1; i < name.size(); i++)
        if (!is_digit(name[i])) return false;
    return true;
}

void write(std::ostream &s, const PostOps &o) {
    if (o.bias) s << "+bias";
    if (o.sum) s << "+sum:" << float_text(*o.sum);
    if (o.relu) s << "+relu:" << float_text(*o.relu);
    if (o.clip) s << "+clip:" << float_text(o.clip->lower) << ":" << float_text(o.clip->upper);
}

// Whether parsing gives `o` back: no NaN, clip's bounds in order.
bool writable(const PostOps &o) {
    const auto number = [](const std::optional<float> &v) { return !v || !std::isnan(*v); };
    return number(o.sum) && number(o.relu) && (!o.clip || o.clip->lower <= o.clip->upper);
}

void write(std::ostream &s, const ConvDescriptor &d) {
    const ConvParams &p = d.params;
    if (d.groups != 1) s << "g" << d.groups;
    s << "mb" << d.mb << "ic" << d.ic << "ih" << d.ih << "iw" << d.iw << "oc" << d.oc << "oh" << d.oh << "ow" << d.ow
      << "kh" << d.kh << "kw" << d.kw << "sh" << p.stride_h << "sw" << p.stride_w << "ph" << p.pad_top << "pw"
      << p.pad_left << "dh" << p.dilation_h - 1 << "dw" << p.dilation_w - 1;
    write(s, d.post_ops);
    // *N also when the name itself ends in *digits, so that parsing gives it back.
    if (!d.name.empty() || d.occurrences != 1) {
        s << "n\"" << d.name;
        if (d.occurrences != 1 || ends_in_count(d.name)) s << "*" << d.occurrences;
        s << "\"";
    }
}

}  // namespace

std::array<int64_t, 4> ConvDescriptor::input_dims() const {
    return {mb, ih, iw, ic};
}

std::array<int64_t, 4> ConvDescriptor::filter_dims() const {
    return {kh, kw, groups > 0 ? ic / groups : ic, oc};  // a g below 1 is the validation's to report
}

ConvDescriptor ConvDescriptor::one_group() const {
    ConvDescriptor group = *this;
    group.ic /= groups, group.oc /= groups, group.groups = 1;
    return group;
}

bool ConvDescriptor::depthwise() const {
    return groups > 1 && groups == ic && oc == ic;
}

ConvDescriptor ConvDescriptor::one_call() const {
    return depthwise() ? *this : one_group();
}

std::array<int64_t, 4> ConvDescriptor::output_dims() const {
    return {mb, oh, ow, oc};
}

double ConvDescriptor::flops() const {
    return 2.0 * double(mb) * double(oh) * double(ow) * double(oc) * double(kh) * double(kw) * double(ic) /
           double(groups);
}

bool operator==(const PostOps &a, const PostOps &b) {
    const bool same_clip = a.clip.has_value() == b.clip.has_value() &&
                           (!a.clip || (a.clip->lower == b.clip->lower && a.clip->upper == b.clip->upper));
    return a.bias == b.bias && a.sum == b.sum && a.relu == b.relu && same_clip;
}

bool operator==(const ConvDescriptor &a, const ConvDescriptor &b) {
    const ConvParams &p = a.params, &q = b.params;
    return a.groups == b.groups && a.mb == b.mb && a.ic == b.ic && a.oc == b.oc && a.ih == b.ih && a.iw == b.iw &&
           a.oh == b.oh && a.ow == b.ow && a.kh == b.kh && a.kw == b.kw && p.stride_h == q.stride_h &&
           p.stride_w == q.stride_w && p.dilation_h == q.dilation_h && p.dilation_w == q.dilation_w &&
           p.pad_top == q.pad_top && p.pad_left == q.pad_left && p.pad_bottom == q.pad_bottom &&
           p.pad_right == q.pad_right && a.post_ops == b.post_ops && a.name == b.name && a.occurrences == b.occurrences;
}

bool operator!=(const ConvDescriptor &a, const ConvDescriptor &b) {
    return !(a == b);
}

std::ostream &operator<<(std::ostream &s, const ConvDescriptor &d) {
    write(s, d);
    const ConvParams &p = d.params;
    return s << " (pads top " << p.pad_top << " left " << p.pad_left << " bottom " << p.pad_bottom << " right "
             << p.pad_right << ")";
}

ConvDescriptor parse_descriptor(std::string_view text) {
    try {
        return parse(text);
    } catch (const ParseFailure &f) {
        throw Error("descriptor " + quoted(text) + ": " + f.message);
    }
}

std::string to_string(const ConvDescriptor &d) {
    for (char c : d.name) {
        if (c == '"' || c == '\n' || c == '\r') {
            throw Error("descriptor name \"" + d.name + "\": a double quote or line break cannot be written");
        }
    }
    if (!writable(d.post_ops)) {
        std::ostringstream post_ops;
        write(post_ops, d.post_ops);
        throw Error("descriptor post-ops " + post_ops.str() + ": a NaN or a clip lower bound above the upper " +
                    "cannot be written");
    }
    std::ostringstream s;
    write(s, d);
    return s.str();
}

std::string problem_key(ConvDescriptor d) {
    // The post-ops stay: a layer with them is tuned apart from the bare one.
    d.name.clear();
    d.occurrences = 1;
    return to_string(d);
}

std::vector<DescriptorLine> read_descriptor_file(const std::string &path, bool skip_3d) {
    std::ifstream file(path);
    if (!file) throw Error("descriptor file " + path + ": cannot be opened (not found or not readable)");
    std::vector<DescriptorLine> lines;
    std::string line;
    int number = 0;
    while (std::getline(file, line)) {
        number++;
        // A comment starts at a '#' outside the quotes of a name.
        bool in_quotes = false;
        size_t end = 0;
        for (; end < line.size(); end++) {
            if (line[end] == '"') in_quotes = !in_quotes;
            if (line[end] == '#' && !in_quotes) break;
        }
        const std::string_view text = std::string_view(line).substr(0, end);
        if (trim(text).empty()) continue;
        try {
            lines.push_back({number, parse(text)});
        } catch (const ParseFailure &f) {
            if (f.three_d && skip_3d) continue;
            throw Error(path + ":" + std::to_string(number) + ": descriptor " + quoted(text) + ": " + f.message);
        }
    }
    if (file.bad()) throw Error("descriptor file " + path + ": read error after line " + std::to_string(number));
    return lines;
}

}  // namespace stridetune
