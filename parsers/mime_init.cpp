#include "parsers/mime_init.h"

#include <gmime/gmime.h>

#include <mutex>

namespace contribd::mime {

void ensure_gmime_initialised() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

}  // namespace contribd::mime
