#include "pages.hpp"

#include "http/message_rules.hpp"
#include "http/serializer.hpp"

#include <fmt/format.h>

namespace webstack::stage1 {

std::string welcome_page() {
    return R"(<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>webstack stage 1: the dev server</title></head>
<body>
<h1>It worked!</h1>
<p>You are talking to <strong>stage1-devserver</strong>, chapter 1 of the
webstack tutorial: one process, a thread for every connection (or one
connection at a time with <code>--nothreading</code>), like Django's
<code>manage.py runserver</code>.</p>
<pre>
browser --&gt; [ stage1-devserver ]        &lt;-- you are here
browser --&gt; nginx --&gt; gunicorn --&gt; WSGI --&gt; Django   (where we are going)
</pre>
<p>Things to try:</p>
<ul>
<li><code>curl -i http://HOST:PORT/echo</code>: see your own request, as the server parsed it.</li>
<li><code>curl -i -d 'name=value' http://HOST:PORT/echo</code>: a request with a body.</li>
<li><code>curl http://HOST:PORT/slow?seconds=10</code>, and at the same time in another
terminal <code>curl http://HOST:PORT/</code>: with <code>--nothreading</code> the second
request waits.</li>
<li><code>curl http://HOST:PORT/crash</code> while a slow request runs: the whole server
dies, and every request with it. That is why this server is not for production.</li>
</ul>
<p>Next: TUTORIAL.md, chapter 2, "What the heck is WSGI".</p>
</body>
</html>
)";
}

std::string not_found_page(std::string_view path) {
    return fmt::format(R"(<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Page not found</title></head>
<body>
<h1>Page not found <small>(404)</small></h1>
<p>The path <code>{}</code> matched none of the URLs this server knows:</p>
<ol><li><code>/</code></li><li><code>/echo</code></li><li><code>/slow?seconds=N</code></li><li><code>/crash</code></li></ol>
</body>
</html>
)",
                       http::escape_html(path));
}

std::string error_page(int status, std::string_view reason) {
    return fmt::format(R"(<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{0} {1}</title></head>
<body>
<h1>{0} {1}</h1>
<p>{2}</p>
</body>
</html>
)",
                       status, http::reason_phrase(status), http::escape_html(reason));
}

}  // namespace webstack::stage1
