// `autoindex on`: a folder without an index file is shown as a list of its
// entries (folders first, names sorted, hidden files left out), in one of
// nginx's four formats (`autoindex_format`):
//   html   links, names longer than 50 characters cut with "..>", the
//          date and the size (`autoindex_exact_size off`: "12K", "3M");
//   xml    <directory mtime="...">name</directory>, <file ... size="42">;
//   json   [{ "name":"a", "type":"file", "mtime":"<HTTP date>", "size":42 }];
//   jsonp  the json wrapped in the function named by ?callback=.
#pragma once

#include <optional>
#include <string>

namespace webstack::stage5 {

enum class AutoindexFormat { Html, Xml, Json, Jsonp };

struct AutoindexOptions {
    AutoindexFormat format = AutoindexFormat::Html;
    bool exact_size = true;   // autoindex_exact_size
    bool localtime = false;   // autoindex_localtime: html dates in local time, not GMT
    bool utf8 = false;        // `charset utf-8`: a name's length counts characters, not bytes
    std::string callback;     // jsonp: the ?callback= argument (empty: plain json)
};

struct Listing {
    std::string body;
    std::string content_type;
};

// True for a jsonp callback nginx accepts: letters, digits, "_", "." and "$".
bool is_valid_callback(const std::string& callback);

// The listing of the open folder `folder_fd` shown at `uri` ("/static/");
// nothing when the folder cannot be read.
std::optional<Listing> autoindex_page(int folder_fd, const std::string& uri, const AutoindexOptions& options);

}  // namespace webstack::stage5
