#include "providers/codec.h"

#include "providers/json_fields.h"

namespace llmctl {

std::string BaseUrl(const ProviderConfig& cfg, std::string_view default_base) {
  std::string base = cfg.base_url.empty() ? std::string(default_base) : cfg.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

HttpRequest JsonPost(std::string url, const nlohmann::json& body, bool stream) {
  HttpRequest http;
  http.method = "POST";
  http.url = std::move(url);
  http.headers = {{"Content-Type", "application/json"},
                  {"Accept", stream ? "text/event-stream" : "application/json"}};
  http.body = DumpJson(body);
  return http;
}

HttpRequest JsonGet(std::string url) {
  HttpRequest http;
  http.method = "GET";
  http.url = std::move(url);
  http.headers = {{"Accept", "application/json"}};
  return http;
}

void AddExtraHeaders(const ProviderConfig& cfg, HttpRequest* http) {
  for (const auto& [name, value] : cfg.extra_headers) http->headers.emplace_back(name, value);
}

bool IsSystemRole(const std::string& role) { return role == "system" || role == "developer"; }

std::string SystemPrompt(const ChatRequest& request) {
  std::string system = request.system;
  for (const Message& m : request.messages) {
    if (!IsSystemRole(m.role)) continue;
    if (!system.empty()) system += "\n\n";
    system += m.content;
  }
  return system;
}

ProviderFailure MalformedResponse(std::string_view what) {
  ProviderFailure failure;
  failure.error_type = ErrorType::kProviderError;
  failure.http_status = 200;
  failure.message = std::string(what);
  return failure;
}

bool ParseJsonObject(std::string_view body, nlohmann::json* doc, ProviderFailure* failure) {
  *doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc->is_object()) return true;
  *failure = MalformedResponse("the response is not a JSON object");
  return false;
}

}  // namespace llmctl
