// Templates in Django's syntax, the smallest useful part of it:
//   {{ name }}       the value of `name`, HTML-escaped (so "<script>" shows as text)
//   {{ name|safe }}  the value as it is, for HTML the app built itself
// A missing name renders as "", as in Django.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace lifecycle {

std::string render(std::string_view source, const std::map<std::string, std::string>& context);
std::string escape(std::string_view text);

}  // namespace lifecycle
