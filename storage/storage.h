// Everything the daemon and the command line use from storage/: the register (SQLite) and the
// file store, with the values they exchange.
#pragma once

#include "storage/document_number.h"
#include "storage/file_store.h"
#include "storage/records.h"
#include "storage/register.h"
#include "storage/safe_filename.h"
