#pragma once

#include "model/certs/identity.h"
#include "model/core/result.h"

#include <QString>

namespace TlsLab::Model {

// The development certificate TLS Lab makes for itself: EC P-256, CN=localhost with SANs localhost, 127.0.0.1 and
// ::1, serverAuth, a random serial. Created once in the user's data folder (key file mode 0600) and made anew when
// it has expired or cannot be read. For development only: clients must be told to trust it explicitly.
class DevCertificate
{
public:
    // The folder holding tlslab-dev.pem / tlslab-dev.key: ~/.local/share/tlslab (the generic data location), unless
    // the TLSLAB_DATA_DIR environment variable names another.
    static QString directory();
    static QString certificatePath();
    static QString keyPath();
    static Result<Identity> loadOrCreate();
};

} // namespace TlsLab::Model
