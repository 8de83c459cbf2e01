// `llmctl template list|show NAME`: the prompt templates `complete -t` reads.
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "commands/command.h"
#include "config/prompt_template.h"
#include "config/settings.h"

namespace llmctl {
namespace {

struct TemplateOptions {
  std::string name;
  bool json = false;
};

template <typename T>
nlohmann::json OrNull(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json();
}

nlohmann::json Describe(const PromptTemplate& t) {
  return {{"name", t.name},
          {"path", t.path},
          {"system", OrNull(t.system)},
          {"prompt", OrNull(t.prompt)},
          {"model", OrNull(t.model)},
          {"temperature", OrNull(t.temperature)},
          {"max_tokens", OrNull(t.max_tokens)},
          {"schema", OrNull(t.schema)},
          {"variables", TemplateVariables(t)},
          {"takes_input", TemplateTakesInput(t)}};
}

Status RunList(const TemplateOptions& o) {
  const std::string dir = TemplateDirectory(ProcessEnvironment());
  const std::vector<std::string> names = ListTemplates(dir);
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    // A broken template is listed with its error, so one typo does not
    // hide the others.
    for (const std::string& n : names) {
      PromptTemplate t;
      Status st = LoadTemplate(dir, n, &t);
      out.push_back(st.ok() ? Describe(t) : nlohmann::json{{"name", n}, {"error", st.message()}});
    }
    std::cout << out.dump() << std::endl;
    return Status::Ok();
  }
  if (names.empty()) std::cerr << "no templates in " << dir << "\n";
  for (const std::string& n : names) std::cout << n << "\n";
  return Status::Ok();
}

Status RunShow(const TemplateOptions& o) {
  PromptTemplate t;
  Status st = LoadTemplate(TemplateDirectory(ProcessEnvironment()), o.name, &t);
  if (!st.ok()) return st;
  if (o.json) {
    std::cout << Describe(t).dump() << std::endl;
    return Status::Ok();
  }
  std::ifstream in(t.path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  std::cout << "# " << t.path << "\n" << text.str();
  if (!text.str().empty() && text.str().back() != '\n') std::cout << "\n";
  return Status::Ok();
}

}  // namespace

void AddTemplateCommand(CLI::App& app, CommandContext& ctx) {
  CLI::App* cmd =
      app.add_subcommand("template", "List or show the prompt templates complete -t reads");
  cmd->require_subcommand(1);
  auto list = std::make_shared<TemplateOptions>();
  CLI::App* list_cmd =
      cmd->add_subcommand("list", "The template names in $XDG_CONFIG_HOME/llmctl/templates");
  list_cmd->add_flag("--json", list->json, "Print each template's fields as JSON");
  list_cmd->callback([list, &ctx] { ctx.run = [list] { return RunList(*list); }; });
  auto show = std::make_shared<TemplateOptions>();
  CLI::App* show_cmd = cmd->add_subcommand("show", "One template's file, checked");
  show_cmd->add_option("name", show->name, "The template's name")->required();
  show_cmd->add_flag("--json", show->json, "Print its fields, variables and path as JSON");
  show_cmd->callback([show, &ctx] { ctx.run = [show] { return RunShow(*show); }; });
}

}  // namespace llmctl
