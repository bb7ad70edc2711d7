#include "report/web_assets.h"

#include <fmt/format.h>

#include <array>
#include <fstream>
#include <sstream>
#include <system_error>

#include "mizani/error.h"
#include "mizani/settings.h"

#ifndef MIZANI_WEB_DIR
#define MIZANI_WEB_DIR ""
#endif

namespace mizani::report_internal {

namespace {

constexpr std::array<const char*, 4> kAssetFiles = {
    "vega/build/vega.min.js",
    "vega-lite/build/vega-lite.min.js",
    "vega-embed/build/vega-embed.min.js",
    "world-atlas/countries-110m.json",
};

bool HasAllAssets(const std::filesystem::path& dir) {
  std::error_code error;
  for (const char* relative : kAssetFiles) {
    if (!std::filesystem::is_regular_file(dir / relative, error)) return false;
  }
  return true;
}

std::string ReadWhole(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  if (in) content << in.rdbuf();
  if (!in || in.bad()) {
    throw Error(ErrorCode::kFileUnreadable, fmt::format("cannot read web asset {}", path.string()));
  }
  return content.str();
}

}  // namespace

std::vector<std::filesystem::path> DefaultWebDirCandidates() {
  std::vector<std::filesystem::path> candidates;
  if (const std::string& chosen = CurrentSettings().web_dir; !chosen.empty()) {
    candidates.emplace_back(chosen);
  }
  if (!std::string_view(MIZANI_WEB_DIR).empty()) candidates.emplace_back(MIZANI_WEB_DIR);
  // An installed binary finds the assets next to it, wherever the build tree was.
  std::error_code error;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) candidates.push_back(exe.parent_path().parent_path() / "web" / "node_modules");
  return candidates;
}

std::filesystem::path LocateWebDir(const std::vector<std::filesystem::path>& candidates) {
  std::string tried;
  for (const std::filesystem::path& candidate : candidates) {
    if (HasAllAssets(candidate)) return candidate;
    tried += fmt::format("\n  {}", candidate.string());
  }
  throw Error(ErrorCode::kFileUnreadable,
              fmt::format("the HTML report needs the web assets (vega, vega-lite, vega-embed, "
                          "world-atlas) installed by npm, and none of these folders has them:{}\n"
                          "Run scripts/setup.sh (it runs `npm ci` in web/), or set MIZANI_WEB_DIR "
                          "to a node_modules folder that holds them.",
                          tried.empty() ? "\n  (no candidate folder)" : tried));
}

WebAssets LoadWebAssets(const std::filesystem::path& web_dir) {
  WebAssets assets;
  assets.vega_js = ReadWhole(web_dir / kAssetFiles[0]);
  assets.vega_lite_js = ReadWhole(web_dir / kAssetFiles[1]);
  assets.vega_embed_js = ReadWhole(web_dir / kAssetFiles[2]);
  assets.world_topojson = ReadWhole(web_dir / kAssetFiles[3]);
  return assets;
}

}  // namespace mizani::report_internal
