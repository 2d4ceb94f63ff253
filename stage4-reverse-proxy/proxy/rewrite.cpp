#include "proxy/rewrite.hpp"

#include "http/target.hpp"
#include "proxy/responses.hpp"

namespace webstack::stage4 {

namespace {

bool holds(const RewriteCondition& condition, RequestContext& context) {
    const std::string subject = expand_variables(condition.subject, context);
    switch (condition.kind) {
        case RewriteCondition::Kind::NotEmpty: return !subject.empty() && subject != "0";
        case RewriteCondition::Kind::Equals: return subject == expand_variables(condition.value, context);
        case RewriteCondition::Kind::NotEquals: return subject != expand_variables(condition.value, context);
        case RewriteCondition::Kind::Matches: return condition.regex->match(subject, &context.captures);
        case RewriteCondition::Kind::NotMatches: return !condition.regex->match(subject);
    }
    return false;
}

bool is_redirect_target(std::string_view replacement) {
    return replacement.starts_with("http://") || replacement.starts_with("https://") ||
           replacement.starts_with("$scheme");
}

// `rewrite REGEX REPLACEMENT [FLAG]`, when REGEX matched $uri.
RewriteOutcome apply_rewrite(const RewriteStep& step, http::Request& request, RequestContext& context,
                             const std::string& query) {
    RewriteOutcome outcome;
    std::string replacement = expand_variables(step.value, context);
    // The request's arguments follow the replacement's, unless it ends with "?".
    if (replacement.ends_with('?')) replacement.pop_back();
    else if (!query.empty()) replacement += (replacement.find('?') == std::string::npos ? "?" : "&") + query;

    const bool redirect = step.flag == RewriteStep::Flag::Redirect || step.flag == RewriteStep::Flag::Permanent ||
                          is_redirect_target(step.value);
    if (redirect) {
        outcome.kind = RewriteOutcome::Kind::Answer;
        outcome.response = error_page(step.flag == RewriteStep::Flag::Permanent ? 301 : 302, request.keep_alive);
        outcome.response.headers.add("Location", replacement);
        return outcome;
    }
    // The new URI, escaped again for the target (proxy_pass sends it).
    const auto question = replacement.find('?');
    request.target = http::percent_encode(replacement.substr(0, question)) +
                     (question == std::string::npos ? "" : replacement.substr(question));
    outcome.uri_changed = true;
    if (step.flag == RewriteStep::Flag::Last) outcome.kind = RewriteOutcome::Kind::Restart;
    if (step.flag == RewriteStep::Flag::Break) outcome.kind = RewriteOutcome::Kind::Break;
    return outcome;
}

void set_variable(RequestContext& context, const std::string& name, std::string value) {
    for (auto& [known, stored] : context.set_variables) {
        if (known == name) {
            stored = std::move(value);
            return;
        }
    }
    context.set_variables.emplace_back(name, std::move(value));
}

}  // namespace

RewriteOutcome run_rewrites(const std::vector<RewriteStep>& steps, http::Request& request, RequestContext& context) {
    RewriteOutcome outcome;
    for (const auto& step : steps) {
        switch (step.kind) {
            case RewriteStep::Kind::Set: set_variable(context, step.variable, expand_variables(step.value, context)); break;
            case RewriteStep::Kind::Break: outcome.kind = RewriteOutcome::Kind::Break; return outcome;
            case RewriteStep::Kind::Return:
                if (step.returned.code == 444) {
                    outcome.kind = RewriteOutcome::Kind::Close;
                    return outcome;
                }
                outcome.kind = RewriteOutcome::Kind::Answer;
                outcome.response = return_response(step.returned, context, request.keep_alive);
                return outcome;
            case RewriteStep::Kind::If: {
                if (!holds(step.condition, context)) break;
                auto inner = run_rewrites(step.steps, request, context);
                inner.uri_changed = inner.uri_changed || outcome.uri_changed;
                if (inner.kind != RewriteOutcome::Kind::Continue) return inner;
                outcome.uri_changed = inner.uri_changed;
                break;
            }
            case RewriteStep::Kind::Rewrite: {
                const auto parsed = http::parse_target(request.target);
                if (!parsed.target || !step.regex->match(parsed.target->path, &context.captures)) break;
                auto applied = apply_rewrite(step, request, context, parsed.target->query);
                applied.uri_changed = applied.uri_changed || outcome.uri_changed;
                if (applied.kind != RewriteOutcome::Kind::Continue) return applied;
                outcome.uri_changed = true;
                break;
            }
        }
    }
    return outcome;
}

}  // namespace webstack::stage4
