#include "stridetune/parameters.h"

#include <algorithm>
#include <sstream>
#include <vector>

#include "stridetune/error.h"

namespace stridetune {

Parameters Parameters::parse(std::string_view text) {
    Parameters p;
    std::istringstream words{std::string(text)};
    for (std::string item; words >> item;) {
        const size_t eq = item.find('=');
        if (eq == std::string::npos || eq == 0) {
            throw Error("parameters \"" + std::string(text) + "\": item \"" + item + "\" is not key=value");
        }
        const std::string key = item.substr(0, eq);
        if (p.has(key)) throw Error("parameters \"" + std::string(text) + "\": " + key + " is given twice");
        p.items_[key] = item.substr(eq + 1);
    }
    return p;
}

std::string Parameters::to_string() const {
    std::vector<std::string> items;
    for (const auto &[key, value] : items_) items.push_back(key + "=" + value);
    std::sort(items.begin(), items.end());
    std::string text;
    for (const std::string &item : items) text += (text.empty() ? "" : " ") + item;
    return text;
}

bool Parameters::has(std::string_view key) const {
    return items_.find(key) != items_.end();
}

std::optional<std::string> Parameters::get(std::string_view key) const {
    const auto it = items_.find(key);
    if (it == items_.end()) return std::nullopt;
    return it->second;
}

Parameters &Parameters::set(const std::string &key, const std::string &value) {
    items_[key] = value;
    return *this;
}

Parameters &Parameters::erase(std::string_view key) {
    if (const auto it = items_.find(key); it != items_.end()) items_.erase(it);
    return *this;
}

bool Parameters::includes(const Parameters &subset) const {
    return std::all_of(subset.items_.begin(), subset.items_.end(), [&](const auto &item) {
        const auto it = items_.find(item.first);
        return it != items_.end() && it->second == item.second;
    });
}

}  // namespace stridetune
