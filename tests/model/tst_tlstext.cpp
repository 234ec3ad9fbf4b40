// TlsText::handshakeFailureWords over the messages OpenSSL itself produces: each row names an OpenSSL reason code, the
// test asks the linked libssl for that reason's text (as Qt shows it: "error:0A00009C:SSL routines::http request"),
// and checks the sentence a person gets. If OpenSSL rewords a reason, the row fails instead of silently falling back.
#include "model/tls/tlstext.h"

#include <QSslError>
#include <QTest>

#include <openssl/err.h>
#include <openssl/ssl.h>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;

namespace {
// OpenSSL's full error line for an SSL reason, prefixed the way QSslSocket reports a failed handshake.
QString opensslMessage(int reason)
{
    char buffer[256] = {};
    ERR_error_string_n(ERR_PACK(ERR_LIB_SSL, 0, reason), buffer, sizeof buffer);
    return u"Error during SSL handshake: "_s + QString::fromLatin1(buffer);
}
} // namespace

class TestTlsText : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void handshakeFailureWords_data();
    void handshakeFailureWords();
    void unknownMessagesAreKept();
};

void TestTlsText::initTestCase()
{
    // The reason texts are OpenSSL's own; libssl loads them when initialised, as Qt's backend does.
    QVERIFY(OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS, nullptr) == 1);
}

void TestTlsText::handshakeFailureWords_data()
{
    QTest::addColumn<int>("reason");
    QTest::addColumn<QString>("words");
    const struct
    {
        const char *name;
        int reason;
        const char *words;
    } rows[] = {
        {"http request", SSL_R_HTTP_REQUEST, "the client spoke plaintext HTTP to a TLS port"},
        {"https proxy request", SSL_R_HTTPS_PROXY_REQUEST,
            "the client sent an HTTP proxy CONNECT request to a TLS port"},
        {"wrong version number", SSL_R_WRONG_VERSION_NUMBER, "the peer did not speak TLS (or an unsupported version)"},
        {"packet length too long", SSL_R_PACKET_LENGTH_TOO_LONG,
            "a record longer than TLS allows arrived: the peer does not speak TLS, or sent an oversized record"},
        {"unexpected message", SSL_R_UNEXPECTED_MESSAGE,
            "the peer sent a message that does not belong in a TLS handshake"},
        {"unsupported protocol", SSL_R_UNSUPPORTED_PROTOCOL, "the two ends have no TLS version in common"},
        {"alert protocol version", SSL_R_TLSV1_ALERT_PROTOCOL_VERSION, "the two ends have no TLS version in common"},
        {"no shared cipher", SSL_R_NO_SHARED_CIPHER, "the two ends have no cipher suite in common"},
        {"no suitable signature algorithm", SSL_R_NO_SUITABLE_SIGNATURE_ALGORITHM,
            "the two ends have no signature algorithm in common"},
        {"no application protocol", SSL_R_NO_APPLICATION_PROTOCOL,
            "the two ends have no application protocol (ALPN) in common"},
        {"alert no application protocol", SSL_R_TLSV1_ALERT_NO_APPLICATION_PROTOCOL,
            "the two ends have no application protocol (ALPN) in common"},
        {"peer did not return a certificate", SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE,
            "the client sent no certificate, but the server requires one"},
        {"alert certificate required", SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED,
            "the server requires a client certificate and none was sent"},
        {"alert unknown ca", SSL_R_TLSV1_ALERT_UNKNOWN_CA,
            "the peer does not trust the certificate's issuer (unknown CA)"},
        {"alert bad certificate", SSL_R_SSLV3_ALERT_BAD_CERTIFICATE, "the peer rejected the certificate"},
        {"alert certificate expired", SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED,
            "the peer rejected the certificate as expired"},
        {"alert certificate unknown", SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN, "the peer rejected the certificate"},
        {"certificate verify failed", SSL_R_CERTIFICATE_VERIFY_FAILED, "the certificate could not be verified"},
        {"alert handshake failure", SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE,
            "the peer aborted the handshake (no acceptable parameters)"},
        {"alert decrypt error", SSL_R_TLSV1_ALERT_DECRYPT_ERROR, "a handshake signature did not verify"},
        {"unexpected eof while reading", SSL_R_UNEXPECTED_EOF_WHILE_READING,
            "the peer closed the connection in the middle of the handshake"},
    };
    for (const auto &row : rows)
        QTest::newRow(row.name) << row.reason << QString::fromLatin1(row.words);
}

void TestTlsText::handshakeFailureWords()
{
    QFETCH(int, reason);
    QFETCH(QString, words);
    const QString message = opensslMessage(reason);
    QVERIFY2(message.contains(u"SSL routines"_s), qPrintable(message)); // really OpenSSL's text, not a code
    QCOMPARE(TlsText::handshakeFailureWords(message), words);
}

void TestTlsText::unknownMessagesAreKept()
{
    // A reason the table does not know is passed on whole, so nothing OpenSSL said is lost.
    const QString message = opensslMessage(SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC);
    QCOMPARE(TlsText::handshakeFailureWords(message), u"the handshake failed: "_s + message);
    QCOMPARE(TlsText::handshakeFailureWords({}), u"the handshake failed"_s);
    // Qt's own words for a missing peer certificate go through the same table.
    QCOMPARE(TlsText::handshakeFailureWords(QSslError(QSslError::NoPeerCertificate).errorString()),
        u"the peer sent no certificate, but one is required"_s);
}

QTEST_GUILESS_MAIN(TestTlsText)
#include "tst_tlstext.moc"
