// The HTML pages the dev server shows. Kept apart from the routing so that
// routes.cpp reads as the list of URLs it is.
#pragma once

#include <string>
#include <string_view>

namespace webstack::stage1 {

std::string welcome_page();
// A Django-debug-style 404 that lists the URLs this server knows.
std::string not_found_page(std::string_view path);
// A small page for any error status, with the reason.
std::string error_page(int status, std::string_view reason);

}  // namespace webstack::stage1
