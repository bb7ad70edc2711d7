// The npm-installed JavaScript and map data that RenderHtml inlines.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace mizani::report_internal {

struct WebAssets {
  std::string vega_js;
  std::string vega_lite_js;
  std::string vega_embed_js;
  std::string world_topojson;  // world-atlas countries-110m.json
};

// Candidate node_modules folders in search order: Settings::web_dir, the
// build's web/node_modules (compiled in), <exe dir>/../web/node_modules.
std::vector<std::filesystem::path> DefaultWebDirCandidates();
// First candidate holding every asset; throws Error(kFileUnreadable) naming
// all candidates and telling the user to run scripts/setup.sh.
std::filesystem::path LocateWebDir(const std::vector<std::filesystem::path>& candidates);
// Reads the assets from a folder found by LocateWebDir.
WebAssets LoadWebAssets(const std::filesystem::path& web_dir);

}  // namespace mizani::report_internal
