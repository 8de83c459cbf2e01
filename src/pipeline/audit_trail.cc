#include "pipeline/audit_trail.h"

#include <openssl/crypto.h>

#include <chrono>

#include <spdlog/spdlog.h>

#include "config/audit_key.h"
#include "store/audit_store.h"
#include "util/time_format.h"

namespace llmctl {

AuditCipherSetup::AuditCipherSetup(bool needed) {
  if (!needed) return;
  thread_ = std::jthread([this] {
    const auto start = std::chrono::steady_clock::now();
    PrepareGcm();
    ms_ =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  });
}

AuditCipherSetup::~AuditCipherSetup() {
  if (!thread_.joinable()) return;
  thread_.join();
  spdlog::debug("stage audit_cipher_setup_ms={:.3f} (overlapping the request)", ms_);
}

Status LoadAuditConfig(const Settings& settings, std::optional<AuditConfig>* out) {
  out->reset();
  if (settings.audit_key_file.empty()) return Status::Ok();
  AuditConfig config;
  std::string warning;
  Status st = LoadAuditKey(settings.audit_key_file, &config.key, &warning);
  if (!st.ok()) return st;
  if (!warning.empty()) spdlog::warn("{}", warning);
  config.retention_days = settings.audit_retention_days;
  *out = config;
  return Status::Ok();
}

Status SealAuditEntry(const AuditConfig& config, const CallSpec& spec, const CallOutcome& outcome,
                      AuditRow* row) {
  const CallRecord& rec = outcome.record;
  nlohmann::json messages = nlohmann::json::array();
  for (const Message& m : spec.request.messages)
    messages.push_back({{"role", m.role}, {"content", m.content}});
  nlohmann::json entry = {
      {"request_id", rec.request_id},
      {"timestamp", FormatIsoUtcMs(rec.timestamp_ms)},
      {"user_id", rec.user_id},
      {"request",
       {{"provider", spec.primary.provider},
        {"model", spec.primary.model},
        {"system", spec.request.system},
        {"messages", messages},
        {"max_tokens", spec.request.max_tokens},
        {"temperature", spec.request.temperature},
        {"stop", spec.request.stop}}},
      {"answer",
       {{"text", outcome.text},
        {"provider", rec.provider},
        {"model", rec.model},
        {"finish_reason", rec.finish_reason},
        {"error", rec.error ? nlohmann::json(*rec.error) : nlohmann::json()}}},
  };
  std::string plain = entry.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  row->request_id = rec.request_id;
  row->created_ms = rec.timestamp_ms;
  const auto seal_start = std::chrono::steady_clock::now();
  Status st = GcmSeal(config.key, rec.request_id, plain, &row->sealed);
  spdlog::debug(
      "stage audit_seal_ms={:.4f} bytes={}",
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - seal_start)
          .count(),
      plain.size());
  OPENSSL_cleanse(plain.data(), plain.size());
  return st;
}

Status StoreAuditEntry(Database& db, const AuditConfig& config, const AuditRow& row) {
  const int64_t prune_before =
      config.retention_days > 0 ? row.created_ms - config.retention_days * 86'400'000LL : 0;
  return PutAuditEntry(db, row, prune_before);
}

Status ReadAuditEntry(Database& db, const AesKey& key, const std::string& request_id,
                      nlohmann::json* entry) {
  *entry = nlohmann::json();
  AuditRow row;
  bool found = false;
  Status st = GetAuditEntry(db, request_id, &row, &found);
  if (!st.ok()) return st;
  if (!found)
    return Status::Usage(
        "no audit entry for request id " + request_id +
        " (entries exist only for calls made with LLMCTL_AUDIT_KEY_FILE set, and are pruned after "
        "LLMCTL_AUDIT_RETENTION_DAYS)");
  std::string plain;
  st = GcmOpen(key, request_id, row.sealed, &plain);
  if (!st.ok())
    return Status::Config(
        "audit entry " + request_id +
        " cannot be decrypted: LLMCTL_AUDIT_KEY_FILE is not the key it was written with, or the "
        "entry was changed in the database; nothing of it is shown");
  nlohmann::json doc = nlohmann::json::parse(plain, nullptr, false);
  OPENSSL_cleanse(plain.data(), plain.size());
  if (doc.is_discarded() || !doc.is_object())
    return Status::Config("audit entry " + request_id + " decrypted but is not a JSON object");
  *entry = std::move(doc);
  return Status::Ok();
}

Status AuditedRequest(const nlohmann::json& entry, ModelRef* model, ChatRequest* request) {
  const nlohmann::json& r = entry.value("request", nlohmann::json::object());
  try {
    model->provider = r.at("provider").get<std::string>();
    model->model = r.at("model").get<std::string>();
    request->system = r.at("system").get<std::string>();
    request->messages.clear();
    for (const auto& m : r.at("messages"))
      request->messages.push_back(
          {m.at("role").get<std::string>(), m.at("content").get<std::string>()});
    request->max_tokens = r.at("max_tokens").get<int64_t>();
    request->temperature = r.at("temperature").get<double>();
    request->stop = r.value("stop", std::vector<std::string>());
  } catch (const nlohmann::json::exception&) {
    return Status::Config("audit entry " + entry.value("request_id", std::string()) +
                          " does not hold a complete request");
  }
  return Status::Ok();
}

}  // namespace llmctl
