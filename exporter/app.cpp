#include "exporter/app.hpp"

#include <filesystem>
#include <random>

#include "exporter/accept_encoding.hpp"
#include "exporter/pages.hpp"
#include "exporter/process_metrics.hpp"

#ifndef OPSWATCH_VERSION
#define OPSWATCH_VERSION "dev"
#endif
#ifndef OPSWATCH_REVISION
#define OPSWATCH_REVISION "unknown"
#endif

namespace opswatch {
namespace {

// How long POST /-/reload waits for the owning thread to finish the reload before answering 503
// (the reload still runs). Generous: a reload of a large rule set takes seconds.
constexpr std::chrono::seconds kReloadAnswerTimeout{30};

}  // namespace

std::string VersionString() {
  return std::string("opswatch, version ") + OPSWATCH_VERSION + " (revision: " + OPSWATCH_REVISION +
         ")";
}

App::App(AppOptions options, Clock& clock, Logger& logger)
    : options_(std::move(options)),
      clock_(clock),
      logger_(logger),
      started_(clock.SteadyNow()),
      services_(clock, logger, disk_statter_),
      store_(clock),
      alerting_(store_, clock, logger),
      // Probes from kubelet and container HEALTHCHECKs carry no credentials.
      guard_({"/-/healthy", "/-/ready"}, clock, logger),
      state_dir_probe_(disk_statter_) {
  RegisterBuiltinCollectors(registry_);
}

App::~App() { Stop(); }

void App::RecordReload(bool ok) {
  last_reload_ok_ = ok ? 1 : 0;
  if (ok) last_reload_success_time_ = ToUnixSeconds(clock_.SystemNow());
  MetricFamily build = NewFamily(process_metrics::kBuildInfo);
  build.Add(Labels{{"version", OPSWATCH_VERSION}, {"revision", OPSWATCH_REVISION}}, 1);
  MetricFamily reload_ok = NewFamily(process_metrics::kConfigLastReloadSuccessful);
  reload_ok.Add({}, last_reload_ok_);
  MetricFamily reload_time = NewFamily(process_metrics::kConfigLastReloadSuccessTimestamp);
  reload_time.Add({}, last_reload_success_time_);
  store_.SetSection("self", {std::move(build), std::move(reload_ok), std::move(reload_time)});
}

Status App::Apply(Config config, bool deliver) {
  std::error_code ec;
  std::filesystem::create_directories(config.global.state_dir, ec);
  if (ec) {
    logger_.Warn("cannot create state_dir; alert state and the outbox stay in memory",
                 {{"state_dir", config.global.state_dir}, {"err", ec.message()}});
  }
  std::vector<ScheduledCollector> scheduled;
  std::vector<std::pair<std::string, std::string>> names;
  for (auto& entry : config.collectors) {
    std::shared_ptr<Collector> collector = entry.parsed.create(services_);
    names.emplace_back(entry.id.name, entry.id.type);
    scheduled.push_back(ScheduledCollector{entry.id, std::move(collector)});
  }
  if (scheduler_) scheduler_->Stop();
  store_.SetCollectors(names);
  scheduler_ = std::make_unique<Scheduler>(std::move(scheduled), store_, clock_, logger_, executor_,
                                           std::random_device{}());
  scheduler_->Start();
  alerting_.Apply(config, deliver);
  state_dir_ = config.global.state_dir;
  state_dir_probe_.SetPath(state_dir_);
  state_dir_probe_.Refresh();
  config_loaded_ = true;
  return Status::Ok();
}

Status App::Start() {
  std::lock_guard lock(reload_mu_);
  ConfigLoad load = LoadConfigFile(options_.config_file, registry_, env_);
  if (!load.ok()) {
    RecordReload(false);
    return Status::Error(load.ErrorText());
  }
  Status serving = StartServing();
  if (!serving.ok()) return serving;
  size_t count = load.config.collectors.size();
  Status applied = Apply(std::move(load.config), /*deliver=*/true);
  RecordReload(applied.ok());
  alerting_.Start();
  logger_.Info("configuration loaded", {{"file", options_.config_file}, {"collectors", count}});
  return applied;
}

Status App::StartServing() {
  if (!options_.web_config_file.empty()) {
    web_config_ =
        std::make_unique<WebConfigWatcher>(options_.web_config_file, env_, guard_, logger_);
    Status loaded = web_config_->Load();
    if (!loaded.ok()) return loaded;
  }
  PublishAuthFailures();
  RegisterRoutes();
  server_.Use([this](const HttpRequest& request, const HttpHandler& next) {
    return guard_.Handle(request, next);
  });
  TlsContextSwitch* tls = web_config_ ? web_config_->tls() : nullptr;
  Status listening = server_.Start(options_.listen_address, {}, tls);
  if (!listening.ok()) return listening;
  logger_.Info("listening",
               {{"address", options_.listen_address.substr(0, options_.listen_address.rfind(':')) +
                                ":" + std::to_string(server_.port())},
                {"tls", tls != nullptr}});
  if (web_config_) web_config_->Start();
  return Status::Ok();
}

void App::PublishAuthFailures() {
  std::lock_guard lock(publish_mu_);
  uint64_t failures = guard_.auth_failures();
  if (published_auth_failures_ == failures) return;
  published_auth_failures_ = failures;
  MetricFamily family = NewFamily(process_metrics::kHttpAuthFailures);
  family.Add({}, static_cast<double>(failures));
  store_.SetSection("web", {std::move(family)});
}

Status App::Reload() {
  std::lock_guard lock(reload_mu_);
  logger_.Info("reloading configuration", {{"file", options_.config_file}});
  if (web_config_) web_config_->CheckForChanges(/*force=*/true);
  ConfigLoad load = LoadConfigFile(options_.config_file, registry_, env_);
  if (!load.ok()) {
    RecordReload(false);
    std::string text = load.ErrorText();
    logger_.Error("configuration reload failed; keeping the running configuration",
                  {{"err", text}});
    return Status::Error(text);
  }
  Status applied = Apply(std::move(load.config), /*deliver=*/true);
  RecordReload(applied.ok());
  if (applied.ok()) logger_.Info("configuration reloaded", {{"file", options_.config_file}});
  return applied;
}

void App::RunPendingReloads() {
  reload_requests_.RunPending([this] { return Reload(); });
}

void App::Stop() {
  // First release handlers waiting for a reload, or stopping the server would wait for them.
  reload_requests_.Shutdown();
  std::lock_guard lock(reload_mu_);
  if (web_config_) web_config_->Stop();
  server_.Stop();
  alerting_.Stop();
  if (scheduler_) scheduler_->Stop();
}

int App::RunOnce(std::ostream& out, std::ostream& err) {
  std::lock_guard lock(reload_mu_);
  ConfigLoad load = LoadConfigFile(options_.config_file, registry_, env_);
  if (!load.ok()) {
    err << load.ErrorText();
    return 1;
  }
  RecordReload(true);
  Status applied = Apply(std::move(load.config), /*deliver=*/false);
  if (!applied.ok()) {
    err << applied.message() << "\n";
    return 1;
  }
  scheduler_->WaitForFirstRound();
  scheduler_->Stop();
  alerting_.EvaluateOnce();
  out << SerializeText(*store_.Current());
  // One evaluation cannot wait out a `for`, so every alert whose condition holds counts.
  std::vector<Alert> alerts = alerting_.Alerts();
  for (const Alert& alert : alerts) {
    err << "ALERT " << alert.labels.ToString();
    auto summary = alert.annotations.find("summary");
    if (summary != alert.annotations.end()) err << " " << summary->second;
    err << "\n";
  }
  return alerts.empty() ? 0 : 2;
}

int App::PrintRules(std::ostream& out, std::ostream& err) {
  std::lock_guard lock(reload_mu_);
  ConfigLoad load = LoadConfigFile(options_.config_file, registry_, env_);
  if (!load.ok()) {
    err << load.ErrorText();
    return 1;
  }
  alerting_.Apply(load.config, /*deliver=*/false);
  out << alerting_.PrintRules();
  return 0;
}

void App::RegisterRoutes() {
  server_.Route("/metrics", [this](const HttpRequest& r) { return HandleMetrics(r); });
  server_.Route("/health", [this](const HttpRequest& r) { return HandleHealth(r); });
  server_.Route("/-/healthy", [](const HttpRequest&) { return HttpReply::Text(200, "OK\n"); });
  server_.Route("/-/ready", [this](const HttpRequest& r) { return HandleReady(r); });
  server_.Route("/-/reload", [this](const HttpRequest& r) { return HandleReload(r); });
  server_.Route("/", [this](const HttpRequest& r) { return HandleStatusPage(r); });
  server_.Route("/api/v1/rules",
                [this](const HttpRequest&) { return HttpReply::Json(200, alerting_.RulesJson()); });
  server_.Route("/api/v1/alerts", [this](const HttpRequest&) {
    return HttpReply::Json(200, alerting_.AlertsJson());
  });
}

HttpReply App::HandleMetrics(const HttpRequest& request) {
  PublishAuthFailures();
  bool gzip = AcceptsGzip(request.Header("accept-encoding"));
  HttpReply reply;
  reply.content_type = "text/plain; version=0.0.4; charset=utf-8";
  reply.body = exposition_.Get(store_.Current(), gzip);
  if (gzip) reply.headers.emplace_back("Content-Encoding", "gzip");
  // Caches between us and a client must not hand one client's encoding to another.
  reply.headers.emplace_back("Vary", "Accept-Encoding");
  return reply;
}

HealthFacts App::Facts() {
  HealthFacts facts;
  facts.version = OPSWATCH_VERSION;
  facts.uptime_seconds = ToSeconds(clock_.SteadyNow() - started_);
  facts.state_dir_free_bytes = state_dir_probe_.AvailBytes();
  facts.state_dir_problem = state_dir_probe_.Problem();
  facts.alerting = alerting_.Health();
  if (web_config_) {
    WebConfigHealth web = web_config_->Health();
    facts.web_config = HealthFacts::WebConfigView{web.ok, web.file, web.last_error};
  }
  for (const Alert& alert : alerting_.Alerts()) {
    facts.alerts.push_back(ActiveAlertView{alert.labels.ToString(), AlertStateName(alert.state),
                                           FormatRfc3339Millis(alert.active_at), alert.value});
  }
  return facts;
}

HttpReply App::HandleHealth(const HttpRequest&) {
  state_dir_probe_.Refresh();
  HealthReport report = RenderHealth(*store_.Current(), Facts());
  return HttpReply::Json(report.ok ? 200 : 503, std::move(report.json));
}

HttpReply App::HandleReady(const HttpRequest&) {
  if (config_loaded_ && store_.AllCollectedOnce()) return HttpReply::Text(200, "Ready\n");
  return HttpReply::Text(503, "Not ready: waiting for the first collection round\n");
}

HttpReply App::HandleReload(const HttpRequest& request) {
  if (request.method != "POST") {
    HttpReply reply = HttpReply::Text(405, "use POST to reload\n");
    reply.headers.emplace_back("Allow", "POST");
    return reply;
  }
  if (!options_.enable_lifecycle) {
    return HttpReply::Text(403,
                           "Lifecycle API is not enabled (start opswatch with "
                           "--web.enable-lifecycle; SIGHUP always reloads)\n");
  }
  ReloadRequests::Answer answer = reload_requests_.Request(kReloadAnswerTimeout);
  switch (answer.kind) {
    case ReloadRequests::Answer::Kind::kDone:
      if (!answer.status.ok()) {
        return HttpReply::Text(500, "failed to reload config: " + answer.status.message());
      }
      return HttpReply::Text(200, "configuration reloaded\n");
    case ReloadRequests::Answer::Kind::kTimedOut:
      return HttpReply::Text(503,
                             "reload queued but not finished in time; it will still run, see "
                             "opswatch_config_last_reload_successful\n");
    case ReloadRequests::Answer::Kind::kShuttingDown:
      break;
  }
  return HttpReply::Text(503, "shutting down\n");
}

HttpReply App::HandleStatusPage(const HttpRequest&) {
  HttpReply reply = HttpReply::Text(200, RenderStatusPage(*store_.Current(), Facts()));
  reply.content_type = "text/html; charset=utf-8";
  return reply;
}

}  // namespace opswatch
