// A kernel's generator parameters, as the kernel registrations, the tuning
// file, the tuner and cmake's stridetune_kernel() spell them: "key=value"
// items, canonically sorted and separated by one space.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace stridetune {

class Parameters {
public:
    Parameters() = default;
    // Whitespace-separated "key=value" items in any order. Throws Error for
    // an item without '=' or with an empty key, or a key given twice.
    static Parameters parse(std::string_view text);

    // The canonical text: items sorted as strings (as cmake's list(SORT)),
    // one space between them.
    std::string to_string() const;

    bool has(std::string_view key) const;
    std::optional<std::string> get(std::string_view key) const;
    Parameters &set(const std::string &key, const std::string &value);
    Parameters &erase(std::string_view key);
    // Whether every item of `subset` is one of these, with the same value.
    bool includes(const Parameters &subset) const;
    const std::map<std::string, std::string, std::less<>> &items() const & { return items_; }
    // Not of a temporary: a range-for over it would outlive it.
    void items() const && = delete;

    friend bool operator==(const Parameters &a, const Parameters &b) { return a.items_ == b.items_; }
    friend bool operator!=(const Parameters &a, const Parameters &b) { return !(a == b); }

private:
    std::map<std::string, std::string, std::less<>> items_;
};

}  // namespace stridetune
