#include "model/tls/tlstext.h"

#include <QCryptographicHash>
#include <QStringList>

#include <openssl/x509_vfy.h>

using namespace Qt::StringLiterals;

namespace TlsLab::Model::TlsText {

QString protocolName(QSsl::SslProtocol protocol)
{
    switch (protocol) {
    case QSsl::TlsV1_2:
        return u"TLSv1.2"_s;
    case QSsl::TlsV1_3:
        return u"TLSv1.3"_s;
    case QSsl::TlsV1_2OrLater:
        return u"TLSv1.2 or later"_s;
    case QSsl::TlsV1_3OrLater:
        return u"TLSv1.3 or later"_s;
    case QSsl::SecureProtocols:
        return u"secure protocols (TLSv1.2 or later)"_s;
    case QSsl::AnyProtocol:
        return u"any protocol"_s;
    case QSsl::UnknownProtocol:
        return u"unknown"_s;
    default:
        return u"legacy protocol"_s;
    }
}

std::optional<QSsl::SslProtocol> protocolFromName(QStringView name)
{
    const QString n = name.toString().toLower().remove(u"tls"_s).remove(u'v');
    if (n == u"1.2")
        return QSsl::TlsV1_2;
    if (n == u"1.3")
        return QSsl::TlsV1_3;
    if (n == u"1.2+")
        return QSsl::TlsV1_2OrLater;
    if (n == u"1.3+")
        return QSsl::TlsV1_3OrLater;
    if (n == u"any" || n == u"secure")
        return QSsl::SecureProtocols;
    return std::nullopt;
}

QString errorCode(QSslError::SslError error)
{
    switch (error) {
    case QSslError::SelfSignedCertificate:
        return u"self-signed"_s;
    case QSslError::SelfSignedCertificateInChain:
        return u"self-signed-in-chain"_s;
    case QSslError::UnableToGetLocalIssuerCertificate:
    case QSslError::UnableToGetIssuerCertificate:
        return u"unknown-issuer"_s;
    case QSslError::UnableToVerifyFirstCertificate:
        return u"unable-to-verify-first-certificate"_s;
    case QSslError::HostNameMismatch:
        return u"host-name-mismatch"_s;
    case QSslError::CertificateExpired:
        return u"expired"_s;
    case QSslError::CertificateNotYetValid:
        return u"not-yet-valid"_s;
    case QSslError::CertificateRevoked:
        return u"revoked"_s;
    case QSslError::NoPeerCertificate:
        return u"no-peer-certificate"_s;
    case QSslError::InvalidPurpose:
        return u"invalid-purpose"_s;
    case QSslError::CertificateUntrusted:
        return u"untrusted"_s;
    case QSslError::CertificateRejected:
        return u"rejected"_s;
    case QSslError::CertificateSignatureFailed:
        return u"bad-signature"_s;
    case QSslError::InvalidCaCertificate:
        return u"invalid-ca"_s;
    case QSslError::PathLengthExceeded:
        return u"path-length-exceeded"_s;
    case QSslError::NoSslSupport:
        return u"no-tls-support"_s;
    default:
        return u"error-%1"_s.arg(int(error));
    }
}

QString errorWords(QSslError::SslError error)
{
    switch (error) {
    case QSslError::SelfSignedCertificate:
        return u"the certificate is self-signed and not trusted here"_s;
    case QSslError::SelfSignedCertificateInChain:
        return u"the chain ends in a self-signed CA that is not trusted here"_s;
    case QSslError::UnableToGetLocalIssuerCertificate:
    case QSslError::UnableToGetIssuerCertificate:
        return u"the certificate's issuer is unknown (not a trusted CA here)"_s;
    case QSslError::UnableToVerifyFirstCertificate:
        return u"the first certificate cannot be verified (its issuer was not sent and is not trusted)"_s;
    case QSslError::HostNameMismatch:
        return u"the certificate is not for the name that was asked for"_s;
    case QSslError::CertificateExpired:
        return u"the certificate has expired"_s;
    case QSslError::CertificateNotYetValid:
        return u"the certificate is not valid yet"_s;
    case QSslError::CertificateRevoked:
        return u"the certificate was revoked"_s;
    case QSslError::NoPeerCertificate:
        return u"the peer sent no certificate"_s;
    case QSslError::InvalidPurpose:
        return u"the certificate is not meant for this purpose (extended key usage)"_s;
    case QSslError::CertificateSignatureFailed:
        return u"the certificate's signature does not verify"_s;
    case QSslError::InvalidCaCertificate:
        return u"an issuer in the chain is not a valid CA certificate"_s;
    default:
        return QSslError(error).errorString();
    }
}

QString alertTypeName(QSsl::AlertType type)
{
    switch (type) {
    case QSsl::AlertType::CloseNotify:
        return u"close_notify"_s;
    case QSsl::AlertType::UnexpectedMessage:
        return u"unexpected_message"_s;
    case QSsl::AlertType::BadRecordMac:
        return u"bad_record_mac"_s;
    case QSsl::AlertType::RecordOverflow:
        return u"record_overflow"_s;
    case QSsl::AlertType::DecompressionFailure:
        return u"decompression_failure"_s;
    case QSsl::AlertType::HandshakeFailure:
        return u"handshake_failure"_s;
    case QSsl::AlertType::NoCertificate:
        return u"no_certificate"_s;
    case QSsl::AlertType::BadCertificate:
        return u"bad_certificate"_s;
    case QSsl::AlertType::UnsupportedCertificate:
        return u"unsupported_certificate"_s;
    case QSsl::AlertType::CertificateRevoked:
        return u"certificate_revoked"_s;
    case QSsl::AlertType::CertificateExpired:
        return u"certificate_expired"_s;
    case QSsl::AlertType::CertificateUnknown:
        return u"certificate_unknown"_s;
    case QSsl::AlertType::IllegalParameter:
        return u"illegal_parameter"_s;
    case QSsl::AlertType::UnknownCa:
        return u"unknown_ca"_s;
    case QSsl::AlertType::AccessDenied:
        return u"access_denied"_s;
    case QSsl::AlertType::DecodeError:
        return u"decode_error"_s;
    case QSsl::AlertType::DecryptError:
        return u"decrypt_error"_s;
    case QSsl::AlertType::ExportRestriction:
        return u"export_restriction"_s;
    case QSsl::AlertType::ProtocolVersion:
        return u"protocol_version"_s;
    case QSsl::AlertType::InsufficientSecurity:
        return u"insufficient_security"_s;
    case QSsl::AlertType::InternalError:
        return u"internal_error"_s;
    case QSsl::AlertType::InappropriateFallback:
        return u"inappropriate_fallback"_s;
    case QSsl::AlertType::UserCancelled:
        return u"user_canceled"_s;
    case QSsl::AlertType::NoRenegotiation:
        return u"no_renegotiation"_s;
    case QSsl::AlertType::MissingExtension:
        return u"missing_extension"_s;
    case QSsl::AlertType::UnsupportedExtension:
        return u"unsupported_extension"_s;
    case QSsl::AlertType::CertificateUnobtainable:
        return u"certificate_unobtainable"_s;
    case QSsl::AlertType::UnrecognizedName:
        return u"unrecognized_name"_s;
    case QSsl::AlertType::BadCertificateStatusResponse:
        return u"bad_certificate_status_response"_s;
    case QSsl::AlertType::BadCertificateHashValue:
        return u"bad_certificate_hash_value"_s;
    case QSsl::AlertType::UnknownPskIdentity:
        return u"unknown_psk_identity"_s;
    case QSsl::AlertType::CertificateRequired:
        return u"certificate_required"_s;
    case QSsl::AlertType::NoApplicationProtocol:
        return u"no_application_protocol"_s;
    case QSsl::AlertType::UnknownAlertMessage:
        break;
    }
    return u"alert_%1"_s.arg(int(type));
}

QString alertLevelName(QSsl::AlertLevel level)
{
    switch (level) {
    case QSsl::AlertLevel::Warning:
        return u"warning"_s;
    case QSsl::AlertLevel::Fatal:
        return u"fatal"_s;
    case QSsl::AlertLevel::Unknown:
        break;
    }
    return u"unknown"_s;
}

QString handshakeFailureWords(const QString &opensslText)
{
    const QString t = opensslText.toLower();
    struct Rule
    {
        const char *needle;
        const char *words;
    };
    static const Rule rules[] = {
        {"http request", "the client spoke plaintext HTTP to a TLS port"},
        {"https proxy request", "the client sent an HTTP proxy CONNECT request to a TLS port"},
        {"wrong version number", "the peer did not speak TLS (or an unsupported version)"},
        {"packet length too long",
            "a record longer than TLS allows arrived: the peer does not speak TLS, or sent an oversized record"},
        {"unexpected message", "the peer sent a message that does not belong in a TLS handshake"},
        {"unsupported protocol", "the two ends have no TLS version in common"},
        {"protocol version", "the two ends have no TLS version in common"},
        {"no shared cipher", "the two ends have no cipher suite in common"},
        {"no suitable signature algorithm", "the two ends have no signature algorithm in common"},
        {"no application protocol", "the two ends have no application protocol (ALPN) in common"},
        {"peer did not return a certificate", "the client sent no certificate, but the server requires one"},
        {"did not present any certificate", "the peer sent no certificate, but one is required"},
        {"certificate required", "the server requires a client certificate and none was sent"},
        {"unknown ca", "the peer does not trust the certificate's issuer (unknown CA)"},
        {"bad certificate", "the peer rejected the certificate"},
        {"certificate expired", "the peer rejected the certificate as expired"},
        {"certificate unknown", "the peer rejected the certificate"},
        {"certificate verify failed", "the certificate could not be verified"},
        {"handshake failure", "the peer aborted the handshake (no acceptable parameters)"},
        {"decrypt error", "a handshake signature did not verify"},
        {"unexpected eof", "the peer closed the connection in the middle of the handshake"},
        {"connection reset", "the peer reset the connection"},
    };
    for (const Rule &rule : rules) {
        if (t.contains(QLatin1String(rule.needle)))
            return QLatin1String(rule.words);
    }
    return opensslText.isEmpty() ? u"the handshake failed"_s : u"the handshake failed: "_s + opensslText;
}

QString certificateName(const QSslCertificate &certificate)
{
    if (certificate.isNull())
        return u"(no certificate)"_s;
    const QStringList cn = certificate.subjectInfo(QSslCertificate::CommonName);
    if (!cn.isEmpty())
        return u"CN="_s + cn.join(u", "_s);
    const QString display = certificate.subjectDisplayName();
    return display.isEmpty() ? u"(no subject)"_s : display;
}

QString sha256(const QSslCertificate &certificate)
{
    return QString::fromLatin1(certificate.digest(QCryptographicHash::Sha256).toHex(':').toUpper());
}

QSslError::SslError sslErrorFromX509(int x509Error)
{
    switch (x509Error) {
    case X509_V_OK:
        return QSslError::NoError;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        return QSslError::UnableToGetIssuerCertificate;
    case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
        return QSslError::UnableToDecryptCertificateSignature;
    case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
        return QSslError::UnableToDecodeIssuerPublicKey;
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
        return QSslError::CertificateSignatureFailed;
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return QSslError::CertificateNotYetValid;
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return QSslError::CertificateExpired;
    case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
        return QSslError::InvalidNotBeforeField;
    case X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD:
        return QSslError::InvalidNotAfterField;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        return QSslError::SelfSignedCertificate;
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        return QSslError::SelfSignedCertificateInChain;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        return QSslError::UnableToGetLocalIssuerCertificate;
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        return QSslError::UnableToVerifyFirstCertificate;
    case X509_V_ERR_CERT_REVOKED:
        return QSslError::CertificateRevoked;
    case X509_V_ERR_INVALID_CA:
        return QSslError::InvalidCaCertificate;
    case X509_V_ERR_PATH_LENGTH_EXCEEDED:
        return QSslError::PathLengthExceeded;
    case X509_V_ERR_INVALID_PURPOSE:
        return QSslError::InvalidPurpose;
    case X509_V_ERR_CERT_UNTRUSTED:
        return QSslError::CertificateUntrusted;
    case X509_V_ERR_CERT_REJECTED:
        return QSslError::CertificateRejected;
    case X509_V_ERR_SUBJECT_ISSUER_MISMATCH:
        return QSslError::SubjectIssuerMismatch;
    case X509_V_ERR_AKID_SKID_MISMATCH:
        return QSslError::AuthorityIssuerSerialNumberMismatch;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
        return QSslError::HostNameMismatch;
    default:
        return QSslError::UnspecifiedError;
    }
}

QString x509ErrorText(int x509Error)
{
    return QString::fromLatin1(X509_verify_cert_error_string(x509Error));
}

} // namespace TlsLab::Model::TlsText
