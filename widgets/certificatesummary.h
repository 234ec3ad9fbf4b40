#pragma once

#include <QList>
#include <QSslCertificate>
#include <QSslError>
#include <QString>

namespace TlsLab::Widgets {

// A chain as simple HTML for the session details and the fallback viewer, until the certificate viewer is plugged
// in: per certificate its subject, issuer, subject alternative names, SHA-256, validity, and the verdict (the
// verification errors that name it).
QString certificateChainHtml(
    const QList<QSslCertificate> &chain, const QList<QSslError> &errors = {}, bool verdicts = false);
// "DNS:localhost, IP:127.0.0.1, IP:::1"
QString subjectAltNamesText(const QSslCertificate &certificate);

} // namespace TlsLab::Widgets
