#include "http/headers.hpp"

#include <algorithm>

namespace webstack::http {

std::string_view trim(std::string_view text) {
    const auto is_space = [](char c) { return c == ' ' || c == '\t'; };
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

void HeaderList::add(std::string name, std::string value) {
    // Room for a typical message's fields at once: growing one at a time
    // would allocate and move again at 1, 2, 4 and 8.
    if (fields_.capacity() == 0) fields_.reserve(12);
    fields_.push_back({std::move(name), std::move(value)});
}

void HeaderList::set(std::string_view name, std::string value) {
    remove(name);
    add(std::string(name), std::move(value));
}

void HeaderList::remove(std::string_view name) {
    std::erase_if(fields_, [&](const HeaderField& field) { return equals_ignoring_case(field.name, name); });
}

bool HeaderList::contains(std::string_view name) const { return get(name).has_value(); }

std::optional<std::string_view> HeaderList::get(std::string_view name) const {
    for (const auto& field : fields_) {
        if (equals_ignoring_case(field.name, name)) return field.value;
    }
    return std::nullopt;
}

std::optional<std::string> HeaderList::get_combined(std::string_view name) const {
    std::optional<std::string> combined;
    for (const auto& field : fields_) {
        if (!equals_ignoring_case(field.name, name)) continue;
        if (combined) {
            *combined += ", ";
            *combined += field.value;
        } else {
            combined = field.value;
        }
    }
    return combined;
}

std::size_t HeaderList::count(std::string_view name) const {
    return static_cast<std::size_t>(std::count_if(
        fields_.begin(), fields_.end(), [&](const HeaderField& field) { return equals_ignoring_case(field.name, name); }));
}

bool HeaderList::has_token(std::string_view name, std::string_view token) const {
    for (const auto& field : fields_) {
        if (!equals_ignoring_case(field.name, name)) continue;
        if (list_contains(field.value, token)) return true;
    }
    return false;
}

bool list_contains(std::string_view list, std::string_view token) {
    while (true) {
        const auto comma = list.find(',');
        if (equals_ignoring_case(trim(list.substr(0, comma)), token)) return true;
        if (comma == std::string_view::npos) return false;
        list.remove_prefix(comma + 1);
    }
}

std::vector<std::string_view> split_list(std::string_view value) {
    std::vector<std::string_view> elements;
    while (true) {
        const auto comma = value.find(',');
        elements.push_back(trim(value.substr(0, comma)));
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
    }
    return elements;
}

}  // namespace webstack::http
