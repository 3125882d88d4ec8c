// "databus.processor.filter_attachments": lets through only passengers that
// carry an attachment of interest (the original's Excel filter, generalised).
#pragma once

#include <string>
#include <vector>

#include "databus/registry.h"

namespace databus {

inline constexpr char kFilterAttachmentsModule[] = "databus.processor.filter_attachments";

// Setting: extensions (default [".xlsx", ".xls"]; case-insensitive, the dot
// optional). process() leaves a passenger with at least one attachment whose
// name ends with one of them untouched; any other passenger gets every status
// of its entry marked complete (QueueEntry::complete_all_steps), so it is
// never pushed and ends complete. Attachments are never changed.
class FilterAttachments : public Processor {
 public:
  // Throws ConfigError(extensions) for an empty list or an empty extension.
  explicit FilterAttachments(const ComponentEnv& env);
  void process(DriveContext& ctx, QueueEntry& entry) override;

 private:
  std::string module_;
  std::vector<std::string> extensions_;  // Lower case, leading dot.
};

ComponentSpec filter_attachments_spec();

// Adds the filter to `registry`.
void register_filter_components(Registry& registry);

}  // namespace databus
