#include "components/filter/filter_attachments.h"

#include "components/settings.h"
#include "databus/error.h"

namespace databus {

namespace cs = component_settings;

namespace {
const std::vector<std::string> kExcel = {".xlsx", ".xls"};
}  // namespace

ComponentSpec filter_attachments_spec() {
  ComponentSpec spec;
  spec.name = kFilterAttachmentsModule;
  spec.summary =
      "Marks a passenger complete, so it is never pushed, unless an attachment has one of the "
      "extensions.";
  spec.settings = {SettingSpec{"extensions",
                               "Attachment name endings that make a passenger interesting, "
                               "case-insensitive (\".xlsx\" or \"xlsx\").",
                               kExcel}
                       .string_list()};
  return spec;
}

void register_filter_components(Registry& registry) {
  registry.add_processor(filter_attachments_spec(),
                         [](const ComponentEnv& env) -> std::unique_ptr<Processor> {
                           return std::make_unique<FilterAttachments>(env);
                         });
}

FilterAttachments::FilterAttachments(const ComponentEnv& env)
    : module_(env.module.empty() ? kFilterAttachmentsModule : env.module),
      extensions_(
          cs::normal_extensions(env, "extensions", cs::string_list(env, "extensions", kExcel))) {
  if (extensions_.empty()) {
    throw ConfigError(cs::where(env), "extensions",
                      "needs at least one extension (otherwise nothing would ever be pushed)");
  }
}

void FilterAttachments::process(DriveContext& ctx, QueueEntry& entry) {
  for (const Attachment& a : entry.passenger.attachments) {
    if (cs::has_extension(a.name, extensions_)) return;
  }
  entry.complete_all_steps();
  ctx.log().info(module_, "Passenger " + entry.passenger.describe() +
                              " has no attachment of interest; marked complete, not pushed");
}

}  // namespace databus
