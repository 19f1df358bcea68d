// One-time GMime initialisation shared by every parser that touches GMime.
#pragma once

namespace contribd::mime {

// Calls g_mime_init() exactly once per process; safe to call from any thread, any number
// of times. GMime is never shut down (its tables live as long as the process).
void ensure_gmime_initialised();

}  // namespace contribd::mime
