#pragma once

#include "model/certs/identity.h"
#include "model/core/result.h"

#include <QByteArray>
#include <QList>
#include <QSsl>
#include <QSslCertificate>
#include <QString>

namespace TlsLab::Model {

// The TLS settings a person types or picks, read into what Listener and Client take: the command line (serve,
// connect), the listener panel, the client panel and the main window all come here, so each accepts and refuses
// exactly the same input with the same words. Errors name the value or file and the problem, never the front end's
// own option or field, so that the command line and the window can show the message as it is.
class TlsOptions
{
public:
    // "1.2", "1.3", "1.2+", "1.3+" (also "TLSv1.3", "any"): the versions a listener or client allows.
    static Result<QSsl::SslProtocol> protocolRange(QStringView text);

    // A comma-separated ALPN list ("h2,http/1.1"), spaces around names ignored; blank text is an empty list. Each
    // name is sent as its UTF-8 bytes, so it must be 1 to 255 bytes long (RFC 7301): an empty name (as in "h2,,x" or a
    // trailing comma) or a longer one is an error.
    static Result<QList<QByteArray>> alpnProtocols(const QString &text);

    // Trust anchors: every certificate in a PEM (any number) or DER file.
    static Result<QList<QSslCertificate>> trustAnchors(const QString &path);

    // An identity to present: a PKCS#12 bundle (keyPath unused), or a PEM/DER certificate file (a chain is allowed)
    // with a PEM/DER key, encrypted or not. An empty keyPath means the key is in the certificate file.
    static Result<Identity> identity(
        const QString &certificatePath, const QString &keyPath = {}, const QByteArray &passphrase = {});
};

} // namespace TlsLab::Model
