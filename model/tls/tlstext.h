#pragma once

#include <QSsl>
#include <QSslCertificate>
#include <QSslCipher>
#include <QSslError>
#include <QString>

#include <optional>

namespace TlsLab::Model {

// Words for TLS facts: what a person reads in the timeline and on the command line.
namespace TlsText {

QString protocolName(QSsl::SslProtocol protocol); // "TLSv1.3", "TLSv1.2 or later"
// "1.2", "1.3", "1.2+", "1.3+", "any" (secure protocols)
std::optional<QSsl::SslProtocol> protocolFromName(QStringView name);
QString errorCode(QSslError::SslError error); // "self-signed", "unknown-issuer", "host-name-mismatch"
QString errorWords(QSslError::SslError error); // "the certificate is self-signed and not trusted"
QString alertTypeName(QSsl::AlertType type); // "unknown_ca"
QString alertLevelName(QSsl::AlertLevel level); // "fatal", "warning"
// Turns OpenSSL's error text from a failed handshake into a sentence a person understands; keeps nothing secret.
QString handshakeFailureWords(const QString &opensslText);
QString certificateName(const QSslCertificate &certificate); // "CN=localhost" or the best available name
QString sha256(const QSslCertificate &certificate); // AB:CD:...
// OpenSSL's X509_V_ERR_* code as Qt's error (UnspecifiedError where Qt has none), and OpenSSL's own text for it.
QSslError::SslError sslErrorFromX509(int x509Error);
QString x509ErrorText(int x509Error); // "certificate has expired", "EE certificate key too weak"

} // namespace TlsText

} // namespace TlsLab::Model
