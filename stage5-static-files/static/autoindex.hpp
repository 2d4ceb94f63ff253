// `autoindex on`: a folder without an index file is shown as a list of
// links, in nginx's format (folders first, names sorted, hidden files left
// out, names longer than 50 characters cut with "..>").
#pragma once

#include <string>

namespace webstack::stage5 {

// The HTML page for the open folder `folder_fd` shown at `uri` ("/static/").
// nullopt-like: an empty string when the folder cannot be read.
std::string autoindex_page(int folder_fd, const std::string& uri);

}  // namespace webstack::stage5
