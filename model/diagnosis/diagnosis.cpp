#include "model/diagnosis/diagnosis.h"

#include "model/certs/certificatedetails.h"
#include "model/certs/devcertificate.h"
#include "model/tls/hellodissection.h"
#include "model/tls/tlsnames.h"
#include "model/tls/tlstap.h"
#include "model/tls/tlstext.h"

#include <QCborArray>
#include <QSslError>
#include <QTimeZone>

#include <algorithm>

#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

using namespace Qt::StringLiterals;

namespace TlsLab::Model {

namespace {

using Party = Verdict::Party;
using Step = Verdict::Step;

// The facts one end's events hold, gathered once.
struct EndFacts
{
    bool plaintextMode = false;
    bool connected = false; // tcp-connected (client) or tcp-accepted (server)
    bool encrypted = false;
    bool errorsIgnored = false;
    bool tapped = false; // the TLS message tap was on: tls-message events exist
    QString requestedProtocol; // the client's configured versions, in words
    QStringList offeredAlpn; // the client's ALPN offer
    std::optional<Event> firstBytes, clientHello, plaintextRefused, timeout, handshakeFailed, socketError, reset,
        closed, encryptedEvent;
    QList<Event> verifyErrors;
    QList<int> x509Errors; // OpenSSL's X509_V_ERR_* codes, where the tap's verification recorded them
    QList<Event> fatalAlertsSent, fatalAlertsReceived; // close_notify excluded
    QList<Event> messagesSent, messagesReceived; // tls-message
    QList<Event> dataReceived;

    explicit EndFacts(const QList<Event> &events)
    {
        for (const Event &e : events) {
            switch (e.kind) {
            case EventKind::HandshakeStarted:
                if (e.details.value(u"mode").toString() == u"plaintext")
                    plaintextMode = true;
                if (e.details.contains(u"protocol"))
                    requestedProtocol = e.details.value(u"protocol").toString();
                if (e.details.contains(u"alpn"))
                    offeredAlpn = textList(e.details.value(u"alpn"));
                break;
            case EventKind::TcpConnected:
            case EventKind::TcpAccepted:
                connected = true;
                break;
            case EventKind::FirstBytes:
                firstBytes = e;
                break;
            case EventKind::ClientHello:
                clientHello = e;
                break;
            case EventKind::Encrypted:
                encrypted = true;
                encryptedEvent = e;
                break;
            case EventKind::VerifyError:
                verifyErrors.append(e);
                if (e.details.contains(u"x509_error"))
                    x509Errors.append(int(e.details.value(u"x509_error").toInteger()));
                break;
            case EventKind::ErrorsIgnored:
                errorsIgnored = true;
                break;
            case EventKind::AlertSent:
            case EventKind::AlertReceived:
                if (e.details.value(u"level").toString() == u"fatal"
                    && e.details.value(u"type").toString() != u"close_notify")
                    (e.kind == EventKind::AlertSent ? fatalAlertsSent : fatalAlertsReceived).append(e);
                break;
            case EventKind::HandshakeFailed:
                handshakeFailed = e;
                break;
            case EventKind::PlaintextRefused:
                plaintextRefused = e;
                break;
            case EventKind::Timeout:
                timeout = e;
                break;
            case EventKind::SocketError:
                socketError = e;
                break;
            case EventKind::Reset:
                reset = e;
                break;
            case EventKind::Closed:
                closed = e;
                break;
            case EventKind::DataReceived:
                dataReceived.append(e);
                break;
            case EventKind::TlsMessage:
                tapped = true;
                (e.details.value(u"direction").toString() == u"sent" ? messagesSent : messagesReceived).append(e);
                break;
            default:
                break;
            }
        }
    }

    static QStringList textList(const QCborValue &value)
    {
        QStringList out;
        const QCborArray array = value.toArray();
        for (const QCborValue &v : array)
            out.append(v.toString());
        return out;
    }
    bool received(QStringView type) const { return hasMessage(messagesReceived, type); }
    bool sent(QStringView type) const { return hasMessage(messagesSent, type); }
    static bool hasMessage(const QList<Event> &messages, QStringView type)
    {
        for (const Event &m : messages) {
            if (m.details.value(u"type").toString() == type)
                return true;
        }
        return false;
    }
    std::optional<Event> message(bool wasSent, QStringView type) const
    {
        for (const Event &m : wasSent ? messagesSent : messagesReceived) {
            if (m.details.value(u"type").toString() == type)
                return m;
        }
        return std::nullopt;
    }
    // OpenSSL's or Qt's text of the failure, for matching.
    QString failureText() const
    {
        QString text;
        for (const auto &e : {handshakeFailed, socketError, reset}) {
            if (e) {
                text += e->details.value(u"openssl").toString() + u' ' + e->details.value(u"error").toString() + u' '
                    + e->details.value(u"reason").toString() + u' ';
            }
        }
        return text.toLower();
    }
    QString firstAlert(const QList<Event> &alerts) const
    {
        return alerts.isEmpty() ? QString() : alerts.first().details.value(u"type").toString();
    }
};

QString join(const QStringList &items, const QString &none = u"(none recorded)"_s)
{
    return items.isEmpty() ? none : items.join(u", "_s);
}

// What a server's first plaintext words say it is, from the usual greetings; empty when they say nothing known.
QString serverGreeting(const QString &first)
{
    if (first.startsWith(u"HTTP/"_s))
        return u"an HTTP response"_s;
    if (first.startsWith(u"SSH-"_s))
        return u"an SSH server's banner"_s;
    if (first.startsWith(u"220"_s))
        return u"an SMTP or FTP greeting"_s;
    if (first.startsWith(u"+OK"_s))
        return u"a POP3 greeting"_s;
    if (first.startsWith(u"* OK"_s))
        return u"an IMAP greeting"_s;
    return {};
}

// What certificate a list of cipher suites (IANA names) needs: RSA when every TLS 1.2 suite in it is authenticated
// with RSA and it has no TLS 1.3 suite, ECDSA likewise; Any otherwise (signalling suites aside).
enum class SuiteNeeds { Any, Rsa, Ecdsa };
SuiteNeeds suiteNeeds(const QStringList &suites)
{
    int rsa = 0, ecdsa = 0, other = 0;
    for (const QString &suite : suites) {
        if (suite.endsWith(u"_SCSV"_s))
            continue;
        if (suite.startsWith(u"TLS_RSA_"_s) || suite.startsWith(u"TLS_ECDHE_RSA_"_s)
            || suite.startsWith(u"TLS_DHE_RSA_"_s))
            ++rsa;
        else if (suite.startsWith(u"TLS_ECDHE_ECDSA_"_s))
            ++ecdsa;
        else
            ++other;
    }
    if (other == 0 && rsa > 0 && ecdsa == 0)
        return SuiteNeeds::Rsa;
    if (other == 0 && ecdsa > 0 && rsa == 0)
        return SuiteNeeds::Ecdsa;
    return SuiteNeeds::Any;
}

// What a ClientHello seen by the message tap offered: " It offered versions …; cipher suites …; groups …." or empty.
QString offerFromTap(const std::optional<Event> &hello)
{
    if (!hello)
        return {};
    QStringList parts;
    for (const auto &[key, words] : {std::pair {u"versions", u"versions "},
             std::pair {u"cipher_suites", u"cipher suites "}, std::pair {u"groups", u"groups "}}) {
        const QCborValue value = hello->details.value(QStringView(key));
        if (value.isArray()) {
            QStringList items;
            for (const QCborValue &v : value.toArray())
                items.append(v.toString());
            parts.append(QStringView(words).toString() + join(items));
        }
    }
    return parts.isEmpty() ? QString() : u" The ClientHello offered "_s + parts.join(u"; "_s) + u'.';
}

// A listener judges every session against the same certificate of its own: parse it once per thread, not per session.
const CertificateDetails &detailsOf(const QSslCertificate &certificate)
{
    // Keyed by the DER bytes, not by a QSslCertificate: no TLS-backend object may outlive the backend at exit.
    thread_local QByteArray lastDer;
    thread_local CertificateDetails details;
    const QByteArray der = certificate.toDer();
    if (lastDer.isEmpty() || der != lastDer) {
        details = CertificateDetails::fromCertificate(certificate);
        lastDer = der;
    }
    return details;
}

// The names a certificate covers: its DNS and IP subject alternative names, or its common name when it has none.
QStringList coveredNames(const QSslCertificate &certificate)
{
    QStringList names;
    const auto sans = certificate.subjectAlternativeNames();
    for (auto it = sans.cbegin(); it != sans.cend(); ++it) {
        if (it.key() == QSsl::DnsEntry || it.key() == QSsl::IpAddressEntry)
            names.append(it.value());
    }
    if (names.isEmpty())
        names = certificate.subjectInfo(QSslCertificate::CommonName);
    return names;
}

// Whether a host name is among a certificate's names, a wildcard (*.example.org) covering one leftmost label.
bool certificateCovers(const QStringList &names, const QString &host)
{
    for (const QString &name : names) {
        if (name.compare(host, Qt::CaseInsensitive) == 0)
            return true;
        if (name.startsWith(u"*."_s)) {
            const qsizetype dot = host.indexOf(u'.');
            if (dot > 0 && QStringView(host).mid(dot).compare(QStringView(name).mid(1), Qt::CaseInsensitive) == 0)
                return true;
        }
    }
    return false;
}

QString dateText(const QDateTime &date)
{
    return date.toUTC().toString(u"yyyy-MM-dd HH:mm 'UTC'"_s);
}

QString issuerName(const QSslCertificate &certificate)
{
    const QStringList cn = certificate.issuerInfo(QSslCertificate::CommonName);
    if (!cn.isEmpty())
        return u"CN="_s + cn.join(u", "_s);
    const QString display = certificate.issuerDisplayName();
    return display.isEmpty() ? u"(no issuer name)"_s : display;
}

QString anchorNames(const Session &session)
{
    QStringList names;
    for (const QSslCertificate &c : session.trustAnchors)
        names.append(TlsText::certificateName(c));
    names.removeDuplicates();
    if (names.isEmpty())
        return session.systemTrust ? u"the system's CAs"_s : u"(no CA configured)"_s;
    return names.join(u", "_s) + (session.systemTrust ? u" (and the system's CAs)"_s : QString());
}

// The security level OpenSSL applies here by default (Debian's configuration sets 2).
int defaultSecurityLevel()
{
    static const int level = [] {
        SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
        const int l = ctx ? SSL_CTX_get_security_level(ctx) : 1;
        SSL_CTX_free(ctx);
        return l;
    }();
    return level;
}

// The key exchange groups OpenSSL enables by default here, which a listener configured with none of its own (TLS
// Lab's) accepts. OpenSSL has no getter for them: read once from the supported_groups of the ClientHello a
// default-configured OpenSSL writes (the same default list and security level apply to both ends). Empty if unknown.
QStringList defaultGroups()
{
    static const QStringList groups = [] {
        QStringList out;
        // Not a connection of anyone's: whatever tap is waiting for its socket's SSL must not bind to this one.
        const TlsTap::Scope unbound(nullptr);
        SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
        SSL *ssl = ctx ? SSL_new(ctx) : nullptr;
        BIO *readBio = BIO_new(BIO_s_mem());
        BIO *writeBio = BIO_new(BIO_s_mem());
        if (ssl && readBio && writeBio) {
            SSL_set_bio(ssl, readBio, writeBio); // owns both now
            readBio = writeBio = nullptr;
            SSL_set_connect_state(ssl);
            SSL_do_handshake(ssl); // writes the ClientHello, then waits for an answer that never comes
            char *data = nullptr;
            const long size = BIO_get_mem_data(SSL_get_wbio(ssl), &data);
            const ClientHelloDissection hello
                = dissectClientHelloRecords(QByteArrayView(data, size > 0 ? qsizetype(size) : 0));
            for (quint16 g : hello.supportedGroups)
                out.append(namedGroupLabel(g));
        }
        BIO_free(readBio);
        BIO_free(writeBio);
        SSL_free(ssl);
        SSL_CTX_free(ctx);
        return out;
    }();
    return groups;
}

// Why a certificate falls short of the security level, or empty. Level 1: 80 bits (RSA 1024, SHA-1 refused by
// OpenSSL 3), level 2: 112 bits (RSA 2048), level 3: 128 bits (RSA 3072).
struct Weakness
{
    QString code;
    QString words;
};
std::optional<Weakness> weakness(const QSslCertificate &certificate)
{
    const CertificateDetails d = detailsOf(certificate);
    const int level = defaultSecurityLevel();
    const int minRsa = level >= 3 ? 3072 : level == 2 ? 2048 : level == 1 ? 1024 : 0;
    const int minEc = level >= 3 ? 256 : level == 2 ? 224 : level == 1 ? 160 : 0;
    const QString sig = d.signatureAlgorithm.toLower();
    const QString name = TlsText::certificateName(certificate);
    if ((d.publicKeyAlgorithm == u"RSA" || d.publicKeyAlgorithm == u"DSA") && d.publicKeyBits > 0
        && d.publicKeyBits < minRsa) {
        return Weakness {u"weak-key"_s,
            u"%1 has a %2-bit %3 key; OpenSSL's security level %4 (the default here) needs at least %5 bits"_s.arg(name)
                .arg(d.publicKeyBits)
                .arg(d.publicKeyAlgorithm)
                .arg(level)
                .arg(minRsa)};
    }
    if (d.publicKeyAlgorithm == u"EC" && d.publicKeyBits > 0 && d.publicKeyBits < minEc) {
        return Weakness {u"weak-key"_s,
            u"%1 has a %2-bit EC key; OpenSSL's security level %3 (the default here) needs at least %4 bits"_s.arg(name)
                .arg(d.publicKeyBits)
                .arg(level)
                .arg(minEc)};
    }
    // A self-signed certificate's own signature is not checked (it is a trust anchor or not trusted at all).
    if (level >= 1 && !d.isSelfSigned
        && (sig.contains(u"md5"_s) || sig.contains(u"sha1"_s) || sig.startsWith(u"md"_s))) {
        return Weakness {u"weak-signature"_s,
            u"%1 is signed with %2, which OpenSSL 3 refuses at security level %3 (the default here)"_s
                .arg(name, d.signatureAlgorithm)
                .arg(level)};
    }
    return std::nullopt;
}

Verdict make(Party side, Party gaveUp, Step step, const QString &code, const QString &cause, const QString &why,
    const QString &fix)
{
    Verdict v;
    v.side = side;
    v.gaveUp = gaveUp;
    v.step = step;
    v.causeCode = code;
    v.cause = cause;
    v.why = why;
    v.fix = fix;
    return v;
}

// ---- certificate verdicts ---------------------------------------------------------------------------------------

struct CertProblem
{
    int priority;
    Verdict verdict;
};

// One verification error about the server's certificate (seen by a client), in words, with its facts and fix.
CertProblem serverCertificateProblem(const QSslError &error, const Session &s, const QDateTime &clock)
{
    const QSslCertificate cert = error.certificate();
    const QString name = cert.isNull() ? u"the server's certificate"_s : TlsText::certificateName(cert);
    const bool isCa = !cert.isNull() && detailsOf(cert).isCa;
    const QString asked = s.peerName;
    const Party client = Party::Client, server = Party::Server;
    // The server sent its own certificate alone and OpenSSL found no issuer for it. OpenSSL names that error 21
    // without a CA directory to search and error 20 with one (the system's CAs): the same fact either way.
    const bool leafAloneUnverified = s.peerChain.size() == 1 && !cert.isNull() && cert == s.peerChain.first()
        && !detailsOf(cert).isSelfSigned
        && (error.error() == QSslError::UnableToGetLocalIssuerCertificate
            || error.error() == QSslError::UnableToGetIssuerCertificate);
    switch (leafAloneUnverified ? QSslError::UnableToVerifyFirstCertificate : error.error()) {
    case QSslError::SelfSignedCertificate:
        return {1,
            make(Party::Either, client, Step::Certificate, u"self-signed"_s,
                u"the server's certificate is self-signed, and this client does not trust it"_s,
                u"%1 is issued by itself (SHA-256 %2) and is not among the trusted certificates (%3)."_s.arg(
                    name, TlsText::sha256(cert).left(23) + u"…"_s, anchorNames(s)),
                u"If you expect this certificate, trust it for this connection with --ca FILE (the server's "
                u"certificate "
                "itself); otherwise the server needs a certificate issued by a CA its clients trust."_s)};
    case QSslError::UnableToVerifyFirstCertificate:
        return {2,
            make(server, client, Step::Certificate, u"missing-intermediate"_s,
                u"the server sent only its own certificate, and its issuer is not trusted here"_s,
                u"The server sent %1 alone; it was issued by %2, which it did not send and which is not a trust "
                "anchor here (%3)."_s.arg(name, issuerName(cert), anchorNames(s)),
                u"Serve the full chain: leaf then intermediate (%1). If %1 is itself a root CA you trust, pass it to "
                "the client with --ca FILE."_s.arg(issuerName(cert)))};
    case QSslError::SelfSignedCertificateInChain:
    case QSslError::UnableToGetLocalIssuerCertificate:
    case QSslError::UnableToGetIssuerCertificate:
        return {3,
            make(Party::Either, client, Step::Certificate, u"untrusted-issuer"_s,
                u"the server's certificate chain ends at a CA this client does not trust"_s,
                u"The chain the server sent leads to %1 (issuer of %2), which is not among the trusted CAs (%3)."_s.arg(
                    error.error() == QSslError::SelfSignedCertificateInChain ? name : issuerName(cert), name,
                    anchorNames(s)),
                u"Trust that CA with --ca FILE (its certificate) if you expect it; otherwise the server needs a "
                "certificate from a CA the client trusts."_s)};
    case QSslError::CertificateExpired:
        return {4,
            make(server, client, Step::Certificate, isCa ? u"intermediate-expired"_s : u"expired"_s,
                isCa ? u"a CA certificate in the server's chain has expired"_s
                     : u"the server's certificate has expired"_s,
                u"%1 (%2) was valid from %3 until %4; the clock here read %5."_s.arg(name,
                    isCa ? u"a CA in the chain"_s : u"the server's own certificate"_s, dateText(cert.effectiveDate()),
                    dateText(cert.expiryDate()), dateText(clock)),
                isCa ? u"Serve a current intermediate: %1 expired on %2 (ask its CA for the renewed one)."_s.arg(
                    name, dateText(cert.expiryDate()))
                     : u"Renew the certificate; it expired on %1."_s.arg(dateText(cert.expiryDate())))};
    case QSslError::CertificateNotYetValid:
        return {4,
            make(server, client, Step::Certificate, isCa ? u"intermediate-not-yet-valid"_s : u"not-yet-valid"_s,
                isCa ? u"a CA certificate in the server's chain is not valid yet"_s
                     : u"the server's certificate is not valid yet"_s,
                u"%1 is valid only from %2 (until %3); the clock here read %4."_s.arg(
                    name, dateText(cert.effectiveDate()), dateText(cert.expiryDate()), dateText(clock)),
                u"Check the clocks (of this machine and of the machine that made the certificate); otherwise serve a "
                "certificate that is valid now: %1 starts on %2."_s.arg(name, dateText(cert.effectiveDate())))};
    case QSslError::InvalidPurpose: {
        const CertificateDetails d = detailsOf(cert);
        QString eku = u"(none)"_s;
        for (const CertificateDetails::Extension &x : d.extensions) {
            if (x.oid == u"2.5.29.37")
                eku = x.text;
        }
        return {5,
            make(server, client, Step::Certificate, u"wrong-purpose"_s,
                u"the server's certificate is not meant for TLS servers"_s,
                u"%1 does not allow the serverAuth purpose (TLS Web Server Authentication); its extended key usage: "
                "%2."_s.arg(name, eku),
                u"Serve a certificate whose extended key usage includes serverAuth (a server profile: tlslab cert new "
                "--profile server)."_s)};
    }
    case QSslError::HostNameMismatch:
        return {7,
            make(Party::Either, client, Step::Certificate, u"name-mismatch"_s,
                u"the server's certificate is not for the name this client asked for"_s,
                u"This client asked for \"%1\"; %2 covers: %3."_s.arg(asked, name, join(coveredNames(cert))),
                u"Connect with a name the certificate covers (--servername NAME, e.g. %1), or give the server a "
                "certificate that covers \"%2\"."_s.arg(coveredNames(cert).value(0, u"NAME"_s), asked))};
    case QSslError::NoPeerCertificate:
        return {6,
            make(server, client, Step::Certificate, u"no-server-certificate"_s, u"the server sent no certificate"_s,
                u"The handshake carried no server certificate to verify."_s,
                u"Configure the server with a certificate and key."_s)};
    default:
        break;
    }
    if (!cert.isNull()) {
        if (const auto weak = weakness(cert)) {
            return {6,
                make(server, client, Step::Certificate, weak->code,
                    weak->code == u"weak-key" ? u"the server's certificate has a key too weak for this client"_s
                                              : u"the server's certificate has a signature too weak for this client"_s,
                    weak->words + u'.',
                    weak->code == u"weak-key"
                        ? u"Give the server a stronger key (RSA 2048 or more, or EC P-256) and a new certificate."_s
                        : u"Reissue the certificate signed with SHA-256 or better."_s)};
        }
    }
    return {8,
        make(server, client, Step::Certificate, u"certificate-invalid"_s, u"the server's certificate did not verify"_s,
            u"%1: %2 (OpenSSL/Qt: %3)."_s.arg(name, TlsText::errorWords(error.error()), error.errorString()),
            u"Serve a certificate that verifies against the client's trusted CAs."_s)};
}

// The client's view: what was wrong with the server's certificate, the most telling error first, the rest listed.
std::optional<Verdict> clientCertificateVerdict(const Session &s, const EndFacts &f, const QDateTime &clock)
{
    if (s.verifyErrors.isEmpty()) {
        if (f.verifyErrors.isEmpty())
            return std::nullopt;
        // Only the events are known (no certificates): name the codes, claim no more.
        QStringList codes;
        for (const Event &e : f.verifyErrors)
            codes.append(e.details.value(u"error").toString());
        return make(Party::Either, Party::Client, Step::Certificate, u"certificate-invalid"_s,
            u"the server's certificate did not verify"_s,
            u"Verification errors recorded: %1 (the certificates themselves were not kept)."_s.arg(join(codes)),
            u"Serve a certificate that verifies against the client's trusted CAs."_s);
    }
    std::optional<CertProblem> best;
    QStringList others;
    for (const QSslError &e : s.verifyErrors) {
        CertProblem p = serverCertificateProblem(e, s, clock);
        if (!best || p.priority < best->priority) {
            if (best)
                others.append(best->verdict.cause);
            best = p;
        } else {
            others.append(p.verdict.cause);
        }
    }
    others.removeDuplicates();
    others.removeAll(best->verdict.cause);
    if (!others.isEmpty())
        best->verdict.why += u" Also: "_s + others.join(u"; "_s) + u'.';
    return best->verdict;
}

// The listener's view of a client certificate it checked.
std::optional<Verdict> clientCertificateRejected(const Session &s, const EndFacts &f, const QDateTime &clock)
{
    if (s.verifyErrors.isEmpty())
        return std::nullopt;
    const QString anchors = anchorNames(s);
    for (const QSslError &e : s.verifyErrors) {
        if (e.error() == QSslError::NoPeerCertificate) {
            return make(Party::Client, Party::Server, Step::ClientCertificate, u"client-certificate-required"_s,
                u"this listener requires a client certificate and the client sent none"_s,
                u"Client certificates are required here and must be issued by: %1. The client sent no certificate."_s
                    .arg(anchors),
                u"The client must present a certificate issued by %1 (tlslab connect --cert FILE --key FILE; "
                "curl --cert/--key; openssl s_client -cert/-key)."_s.arg(anchors));
        }
    }
    // Qt has no name for the security level's refusals (a key too small, a digest too weak): they come as
    // UnspecifiedError. Name them only when the certificate is weak and, where OpenSSL's own code was recorded, it
    // is one of those refusals.
    const bool levelRefusal
        = f.x509Errors.isEmpty() || std::any_of(f.x509Errors.cbegin(), f.x509Errors.cend(), [](int code) {
              return code == X509_V_ERR_EE_KEY_TOO_SMALL || code == X509_V_ERR_CA_KEY_TOO_SMALL
                  || code == X509_V_ERR_CA_MD_TOO_WEAK;
          });
    for (const QSslError &error : s.verifyErrors) {
        if (error.error() != QSslError::UnspecifiedError || error.certificate().isNull() || !levelRefusal)
            continue;
        if (const auto weak = weakness(error.certificate())) {
            const bool key = weak->code == u"weak-key";
            return make(Party::Client, Party::Server, Step::ClientCertificate, weak->code,
                key ? u"the client's certificate has a key too weak for this listener"_s
                    : u"the client's certificate has a signature too weak for this listener"_s,
                weak->words + u'.',
                key ? u"The client needs a certificate with a stronger key (RSA 2048 or more, or EC P-256)."_s
                    : u"The client needs its certificate reissued with a SHA-256 (or stronger) signature."_s);
        }
    }
    const QSslError &e = s.verifyErrors.first();
    const QSslCertificate cert = e.certificate();
    const QString name = cert.isNull() ? u"the client's certificate"_s : TlsText::certificateName(cert);
    switch (e.error()) {
    case QSslError::CertificateExpired:
    case QSslError::CertificateNotYetValid:
        return make(Party::Client, Party::Server, Step::ClientCertificate, u"client-certificate-invalid"_s,
            u"the client's certificate is out of date"_s,
            u"%1 is valid from %2 until %3; the clock here read %4."_s.arg(
                name, dateText(cert.effectiveDate()), dateText(cert.expiryDate()), dateText(clock)),
            u"The client needs a current certificate (renew %1)."_s.arg(name));
    case QSslError::InvalidPurpose:
        return make(Party::Client, Party::Server, Step::ClientCertificate, u"client-certificate-invalid"_s,
            u"the client's certificate is not meant for TLS clients"_s,
            u"%1 does not allow the clientAuth purpose (TLS Web Client Authentication)."_s.arg(name),
            u"The client needs a certificate whose extended key usage includes clientAuth (tlslab cert new --profile "
            "client)."_s);
    case QSslError::UnspecifiedError: {
        // Qt has no name for it: say OpenSSL's words, claim nothing about trust.
        QString openssl;
        for (const Event &v : f.verifyErrors) {
            if (v.details.contains(u"openssl")) {
                openssl = v.details.value(u"openssl").toString();
                break;
            }
        }
        return make(Party::Client, Party::Server, Step::ClientCertificate, u"client-certificate-invalid"_s,
            u"this listener did not accept the client's certificate"_s,
            u"%1 was rejected: %2."_s.arg(name, openssl.isEmpty() ? e.errorString() : u"OpenSSL: "_s + openssl),
            u"The client needs a certificate this listener accepts: current, issued by %1, with the clientAuth "
            "purpose."_s.arg(anchors));
    }
    default:
        break;
    }
    return make(Party::Either, Party::Server, Step::ClientCertificate, u"client-certificate-untrusted"_s,
        u"the client's certificate is not issued by a CA this listener trusts"_s,
        u"%1 (issued by %2) was rejected: %3. This listener trusts client certificates issued by: %4."_s.arg(
            name, cert.isNull() ? u"?"_s : issuerName(cert), TlsText::errorWords(e.error()), anchors),
        u"The client must use a certificate issued by %1, or the listener must trust %2 (--ca FILE)."_s.arg(
            anchors, cert.isNull() ? u"its issuer"_s : issuerName(cert)));
}

// ---- alerts -------------------------------------------------------------------------------------------------------

bool isCertificateAlert(const QString &type)
{
    return type == u"bad_certificate" || type == u"unsupported_certificate" || type == u"certificate_revoked"
        || type == u"certificate_expired" || type == u"certificate_unknown" || type == u"unknown_ca"
        || type == u"access_denied";
}

QString versionFix(const QString &requested)
{
    if (requested == u"TLSv1.3")
        return u"The server does not speak TLS 1.3: allow TLS 1.2 too with --tls 1.2+, or upgrade the server."_s;
    if (requested == u"TLSv1.2")
        return u"The server does not accept TLS 1.2 (it likely wants TLS 1.3): offer both with --tls 1.2+."_s;
    return u"The server accepts none of the versions this client offers (TLS 1.2 and 1.3): it is outdated or "
           "misconfigured, and the server must change."_s;
}

// The client's view of a fatal alert the server sent.
std::optional<Verdict> clientAlertVerdict(const Session &s, const EndFacts &f)
{
    const QString type = f.firstAlert(f.fatalAlertsReceived);
    if (type.isEmpty())
        return std::nullopt;
    const Party client = Party::Client, server = Party::Server;
    const QString alert = u"The server sent the fatal alert %1"_s.arg(type);
    const bool sawCertificateRequest = f.received(u"CertificateRequest");
    QString caNames;
    if (const auto request = f.message(false, u"CertificateRequest")) {
        caNames
            = join(EndFacts::textList(request->details.value(u"certificate_authorities")), u"any CA (it named none)"_s);
    }
    if (type == u"protocol_version") {
        return make(f.requestedProtocol == u"TLSv1.2" ? client : server, server, Step::ClientHello,
            u"protocol-version-mismatch"_s, u"the two ends have no TLS version in common"_s,
            alert
                + u" in answer to the ClientHello: it accepts none of the versions this client offered (%1)."_s.arg(
                    f.requestedProtocol.isEmpty() ? u"not recorded"_s : f.requestedProtocol),
            versionFix(f.requestedProtocol));
    }
    if (type == u"certificate_required") {
        return make(client, server, Step::ClientCertificate, u"client-certificate-required"_s,
            u"the server requires a client certificate and this client sent none"_s,
            alert + (caNames.isEmpty() ? u"."_s : u"; it asked for a certificate issued by: %1."_s.arg(caNames)),
            u"Connect with --cert FILE --key FILE: a client certificate issued by %1."_s.arg(
                caNames.isEmpty() ? u"a CA the server trusts"_s : caNames));
    }
    if (type == u"unknown_ca") {
        return make(Party::Either, server, Step::ClientCertificate, u"client-certificate-untrusted"_s,
            u"the server does not trust the issuer of this client's certificate"_s,
            alert + u": servers send it about the client's certificate, whose issuer they do not trust"_s
                + (caNames.isEmpty() ? u"."_s : u"; it named these CAs: %1."_s.arg(caNames)),
            u"Use a client certificate (--cert/--key) issued by a CA the server trusts%1, or have the server trust "
            "your certificate's issuer."_s.arg(caNames.isEmpty() ? QString() : u" (" + caNames + u')'));
    }
    if (isCertificateAlert(type)) {
        return make(client, server, Step::ClientCertificate, u"peer-rejected-certificate"_s,
            u"the server rejected this client's certificate"_s,
            alert + u": a server sends it about the client's certificate (not about its own)."_s,
            u"Use a client certificate (--cert/--key) the server accepts: current, issued by a CA it trusts, with "
            "the clientAuth purpose."_s);
    }
    if (type == u"no_application_protocol") {
        return make(Party::Either, server, Step::ClientHello, u"no-alpn-overlap"_s,
            u"the server accepts none of the application protocols (ALPN) this client offered"_s,
            alert + u"; this client offered ALPN %1."_s.arg(join(f.offeredAlpn)),
            u"Offer a protocol the server speaks with --alpn LIST (or none: leave out --alpn)."_s);
    }
    if (type == u"insufficient_security") {
        return make(Party::Either, server, Step::ClientHello, u"insufficient-security"_s,
            u"the server finds this client's offer too weak"_s, alert + u'.',
            u"Offer stronger parameters (--tls 1.2+ with the default cipher suites)."_s);
    }
    if (type == u"unrecognized_name") {
        return make(client, server, Step::ClientHello, u"unrecognized-name"_s,
            u"the server does not serve the name this client asked for"_s,
            alert + u" about the server name \"%1\"."_s.arg(s.peerName),
            u"Connect with a name the server serves (--servername NAME)."_s);
    }
    if (type == u"handshake_failure") {
        if (sawCertificateRequest && !f.sent(u"CertificateVerify")) {
            return make(client, server, Step::ClientCertificate, u"client-certificate-required"_s,
                u"the server requires a client certificate and this client sent none"_s,
                alert + u" after asking for a client certificate (CertificateRequest, CAs: %1)."_s.arg(caNames),
                u"Connect with --cert FILE --key FILE: a client certificate issued by %1."_s.arg(caNames));
        }
        if (f.tapped && !f.received(u"ServerHello")) {
            return make(Party::Either, server, Step::ClientHello, u"no-shared-parameters"_s,
                u"the server found nothing it accepts in this client's ClientHello"_s,
                alert
                    + u" before any ServerHello: no cipher suite, key exchange group or signature algorithm in "
                      "common (which one, only the server knows)."_s
                    + offerFromTap(f.message(true, u"ClientHello")),
                u"Compare what the server accepts with what this client offers (the ClientHello event lists it)."_s);
        }
        return make(Party::Unknown, server, f.tapped ? Step::Finished : Step::ClientHello, u"peer-aborted-handshake"_s,
            u"the server aborted the handshake with handshake_failure"_s,
            alert
                + u". Servers send it when the two ends share no cipher suite or group, and (TLS 1.2) when they "
                  "require a client certificate that was not sent; TLS Lab did not see which handshake messages "
                  "came before it, so it cannot tell which."_s,
            u"Look at the server's log; try --cert/--key if it may require a client certificate, or --tls 1.2+."_s);
    }
    return make(Party::Unknown, server, f.encrypted ? Step::AfterHandshake : Step::ServerHello,
        u"peer-aborted-handshake"_s, u"the server aborted the handshake with the alert %1"_s.arg(type), alert + u'.',
        u"Look at the server's log for the reason it gives for %1."_s.arg(type));
}

// The listener's view of a fatal alert the client sent: usually about this listener's certificate.
std::optional<Verdict> serverAlertReceivedVerdict(
    const Session &s, const EndFacts &f, const DiagnosisInput &in, const QDateTime &clock)
{
    const QString type = f.firstAlert(f.fatalAlertsReceived);
    if (type.isEmpty())
        return std::nullopt;
    const Party client = Party::Client, server = Party::Server;
    const QString alert = u"The client sent the fatal alert %1"_s.arg(type);
    const QSslCertificate leaf = in.localChain.value(0);
    const QString ours = leaf.isNull()
        ? u"this listener's certificate"_s
        : u"this listener's certificate %1 (issued by %2)"_s.arg(TlsText::certificateName(leaf), issuerName(leaf));
    if (type == u"protocol_version") {
        return make(Party::Either, client, Step::ServerHello, u"protocol-version-mismatch"_s,
            u"the client refused the TLS version this listener chose"_s, alert + u'.',
            u"Allow a version the client speaks (serve --tls 1.2+), or upgrade the client."_s);
    }
    if (isCertificateAlert(type)) {
        QString why = alert + u": it rejected "_s + ours + u'.';
        QString fix;
        // A leaf served alone, when it is not its own issuer: a fact worth naming, as clients rarely hold
        // intermediates. Whether that is what this client missed, only it knows.
        const bool leafAlone = in.localChain.size() == 1 && !leaf.isNull() && !detailsOf(leaf).isSelfSigned;
        if (leafAlone) {
            why += u" This listener serves it alone, without its issuer %1: a client that does not already hold %1 "
                   "cannot build the chain to a CA it trusts."_s.arg(issuerName(leaf));
        }
        if (type == u"unknown_ca" && leafAlone) {
            fix = u"Serve the full chain: leaf then intermediate (%1), i.e. serve --cert with a file holding the "
                  "certificate followed by its issuer (as the PREFIX.chain.pem of tlslab cert new). If %1 is a root "
                  "CA, give it to the client instead (tlslab connect --ca FILE, curl --cacert FILE, openssl s_client "
                  "-CAfile FILE)."_s.arg(issuerName(leaf));
        } else if ((type == u"unknown_ca" || type == u"bad_certificate" || type == u"certificate_unknown")
            && !leaf.isNull() && detailsOf(leaf).isSelfSigned) {
            // No CA vouches for a self-signed certificate: a client accepts it only when it is told to trust it.
            // GnuTLS says so with bad_certificate, Java with certificate_unknown, OpenSSL with unknown_ca.
            const bool development = in.localIsDevelopment;
            why += u" It is self-signed%1: a client trusts it only when given the certificate itself%2."_s.arg(
                development ? u" (TLS Lab's development certificate)"_s : QString(),
                type == u"unknown_ca" ? QString()
                                      : u" (some clients, GnuTLS's among them, refuse an untrusted certificate with "
                                        "%1 rather than unknown_ca)"_s.arg(type));
            fix = u"Give the client this certificate to trust (%1: tlslab connect --ca FILE, curl --cacert FILE, "
                  "openssl s_client -CAfile FILE), or serve a certificate from a CA the client trusts."_s.arg(
                      development                             ? DevCertificate::certificatePath()
                          : in.localCertificateFile.isEmpty() ? u"the PEM file this listener serves"_s
                                                              : in.localCertificateFile);
        } else if (type == u"unknown_ca") {
            fix = u"Give the client the CA that issued the certificate (tlslab connect --ca FILE, curl --cacert "
                  "FILE, openssl s_client -CAfile FILE), or serve a certificate from a CA the client trusts."_s;
        }
        // Trust is the client's to give as much as the listener's to earn, unless a fact below names another fix.
        const QString trustFix = leafAlone ? QString() : fix;
        // Which certificate of the chain this listener serves is out of date, by this machine's clock: a fact for
        // any certificate alert (OpenSSL sends certificate_expired for an expired one, bad_certificate for one not
        // valid yet).
        QStringList outOfDate;
        QString datesFix;
        for (qsizetype i = 0; i < in.localChain.size(); ++i) {
            const QSslCertificate &c = in.localChain.at(i);
            if (c.isNull() || (clock >= c.effectiveDate() && clock <= c.expiryDate()))
                continue;
            const QString name = TlsText::certificateName(c);
            outOfDate.append(u"%1 (%2) is valid from %3 until %4"_s.arg(name,
                i == 0 ? u"this listener's own certificate"_s : u"a CA certificate in the chain it serves"_s,
                dateText(c.effectiveDate()), dateText(c.expiryDate())));
            if (!datesFix.isEmpty())
                continue;
            if (clock < c.effectiveDate())
                datesFix = u"Serve a certificate that is valid now: %1 starts on %2 (or check the clocks)."_s.arg(
                    name, dateText(c.effectiveDate()));
            else if (i == 0)
                datesFix = u"Renew the certificate; it was valid until %1."_s.arg(dateText(c.expiryDate()));
            else
                datesFix
                    = u"Serve a current intermediate: %1 was valid until %2 (ask its CA for the renewed one)."_s.arg(
                        name, dateText(c.expiryDate()));
        }
        if (!outOfDate.isEmpty()) {
            why += u' ' + outOfDate.join(u"; "_s) + u"; the clock here read %1."_s.arg(dateText(clock));
            if (type != u"unknown_ca")
                fix = datesFix;
        } else if (type == u"certificate_expired") {
            why += u" Every certificate this listener serves is within its dates by this machine's clock (%1): the "
                   "client's clock may be off, or an issuer it found in its own store is out of date."_s.arg(
                       dateText(clock));
            fix = u"Check the client's clock and the CA certificates it holds."_s;
        }
        // unsupported_certificate: OpenSSL sends it for a certificate without the serverAuth purpose.
        if (!leaf.isNull() && type == u"unsupported_certificate") {
            for (const CertificateDetails::Extension &x : detailsOf(leaf).extensions) {
                if (x.oid == u"2.5.29.37" && !x.text.contains(u"Server Authentication"_s)) {
                    why += u" Its extended key usage (%1) does not include serverAuth."_s.arg(x.text);
                    fix = u"Serve a certificate whose extended key usage includes serverAuth (a server profile: "
                          "tlslab cert new --profile server)."_s;
                }
            }
        }
        if (fix.isEmpty()) {
            fix = u"Serve a certificate the client accepts: issued by a CA it trusts, covering the name it asks "
                  "for, current."_s;
        }
        const QString sni = s.peerName;
        if (!leaf.isNull() && !sni.isEmpty()) {
            const QStringList names = coveredNames(leaf);
            if (!certificateCovers(names, sni)) {
                why += u" The client asked for \"%1\" (SNI); the certificate covers: %2."_s.arg(sni, join(names));
                if (type == u"bad_certificate" || type == u"certificate_unknown") {
                    fix = u"Serve a certificate covering the name the client asks for (\"%1\"), or have the client "
                          "ask for a name the certificate covers (%2)."_s.arg(sni, join(names));
                }
            }
        }
        return make(!trustFix.isEmpty() && fix == trustFix ? Party::Either : server, client, Step::Certificate,
            u"peer-rejected-certificate"_s, u"the client rejected this listener's certificate (alert %1)"_s.arg(type),
            why, fix);
    }
    if (type == u"decode_error" || type == u"illegal_parameter") {
        QString why = alert + u'.';
        if (f.clientHello && f.clientHello->details.contains(u"alpn")) {
            const QStringList alpn = EndFacts::textList(f.clientHello->details.value(u"alpn"));
            if (!alpn.isEmpty())
                why += u" The client had offered ALPN %1."_s.arg(join(alpn));
        }
        return make(Party::Unknown, client, Step::ServerHello, u"peer-aborted-handshake"_s,
            u"the client found something in this listener's answer it could not accept (alert %1)"_s.arg(type), why,
            u"Look at the client's own error for the detail."_s);
    }
    return make(Party::Unknown, client, Step::ServerHello, u"peer-aborted-handshake"_s,
        u"the client aborted the handshake with the alert %1"_s.arg(type), alert + u'.',
        u"Look at the client's own error for the reason."_s);
}

// ---- the two ends ---------------------------------------------------------------------------------------------------

std::optional<Verdict> connectVerdict(const Session &s, const EndFacts &f)
{
    if (f.connected)
        return std::nullopt;
    const QString target = s.peerAddress + u':' + QString::number(s.peerPort);
    const QString text = f.failureText();
    if (f.timeout) {
        return make(Party::Unknown, Party::Client, Step::TcpConnect, u"connect-timeout"_s,
            u"no answer to the TCP connection request"_s,
            u"Nothing answered the connection to %1 within %2 ms: a firewall dropping packets, a wrong address, or "
            "a host that is down."_s.arg(target)
                .arg(f.timeout->details.value(u"timeout_ms").toInteger()),
            u"Check the address and port, and that the server runs and is reachable from here."_s);
    }
    if (text.contains(u"refused"_s)) {
        return make(Party::Either, Party::Server, Step::TcpConnect, u"connection-refused"_s,
            u"nothing is listening on %1"_s.arg(target),
            u"The host answered the TCP connection with a reset (connection refused): no program listens on port %1 "
            "there."_s.arg(s.peerPort),
            u"Start the server, or connect to the port it listens on."_s);
    }
    if (text.contains(u"not found"_s) || text.contains(u"resolved"_s)) {
        return make(Party::Client, Party::Client, Step::TcpConnect, u"host-not-found"_s,
            u"the host name could not be resolved"_s, f.failureText().trimmed(),
            u"Check the host name (or use its IP address with --servername NAME)."_s);
    }
    if (f.socketError || f.reset) {
        return make(Party::Unknown, Party::Client, Step::TcpConnect, u"network-unreachable"_s,
            u"the connection to %1 could not be made"_s.arg(target),
            (f.socketError ? *f.socketError : *f.reset).details.value(u"reason").toString(),
            u"Check the address, the route and any firewall between here and the server."_s);
    }
    return std::nullopt;
}

// What a plaintext client learnt from the server's answer (or silence).
std::optional<Verdict> plaintextClientVerdict(const Session &s, const EndFacts &f, const DiagnosisInput &in)
{
    QByteArray answer;
    QString text;
    for (const Event &e : f.dataReceived)
        text += e.details.value(u"text").toString();
    answer = text.toUtf8();
    const bool otherRefused = in.other && in.other->state == SessionState::Refused;
    const bool tlsRecord = answer.size() >= 3 && (quint8(answer.at(0)) == 0x15 || quint8(answer.at(0)) == 0x16)
        && quint8(answer.at(1)) == 0x03;
    const QString lower = text.toLower();
    const bool httpSaysTls = lower.startsWith(u"http/"_s) && lower.contains(u" 400"_s)
        && (lower.contains(u"https"_s) || lower.contains(u"tls"_s) || lower.contains(u"ssl"_s));
    if (otherRefused || tlsRecord || httpSaysTls) {
        QString why;
        if (otherRefused)
            why = u"The listener (session #%1, in this process) refused it: %2."_s.arg(in.other->id)
                      .arg(in.other->reason);
        else if (tlsRecord)
            why = u"The server answered with a TLS record (%1), not with plaintext."_s.arg(
                QString::fromLatin1(answer.left(7).toHex(' ')));
        else
            why = u"The server answered: \"%1\"."_s.arg(previewBytes(answer, 120));
        return make(Party::Client, Party::Server, Step::FirstBytes, u"plaintext-to-tls-port"_s,
            u"this port speaks TLS, and this client spoke plaintext"_s, why,
            u"Connect with TLS (leave out --plaintext; for HTTP use https://)."_s);
    }
    if (s.state == SessionState::Closed && f.dataReceived.isEmpty() && f.closed
        && f.closed->summary.contains(u"server"_s)) {
        Verdict v = make(Party::Unknown, Party::Server, Step::FirstBytes, u"closed-without-answer"_s,
            u"the server closed the connection without answering"_s,
            u"It sent nothing back. TLS servers close on plaintext like this, but so do other servers that did not "
            "like the request; TLS Lab cannot tell which from this end."_s,
            u"If the port speaks TLS, connect without --plaintext."_s);
        v.kind = Verdict::Kind::Note;
        return v;
    }
    return std::nullopt;
}

bool ended(const Session &s)
{
    return !s.isOpen() || s.state == SessionState::Failed || s.state == SessionState::Refused;
}

bool failedState(const Session &s)
{
    return s.state == SessionState::Failed || s.state == SessionState::Refused;
}

std::optional<Verdict> clientVerdict(const DiagnosisInput &in, const EndFacts &f, const QDateTime &clock)
{
    const Session &s = in.session;
    if (auto v = connectVerdict(s, f))
        return v;
    if (f.plaintextMode)
        return plaintextClientVerdict(s, f, in);
    if (!failedState(s))
        return std::nullopt;
    if (!f.errorsIgnored) {
        if (auto v = clientCertificateVerdict(s, f, clock))
            return v;
    }
    if (auto v = clientAlertVerdict(s, f))
        return v;
    const QString text = f.failureText();
    if (!f.encrypted
        && (text.contains(u"wrong version number"_s) || text.contains(u"packet length too long"_s)
            || text.contains(u"did not speak tls"_s))) {
        const QString openssl
            = text.contains(u"wrong version number"_s) ? u"wrong version number"_s : u"packet length too long"_s;
        const EventDetails sent = f.handshakeFailed ? f.handshakeFailed->details : EventDetails();
        const QString first = sent.value(u"received_first").toString();
        if (!first.isEmpty() && !sent.value(u"received_text").toBool()) {
            return make(Party::Client, Party::Client, Step::FirstBytes, u"tls-to-plaintext-port"_s,
                u"the server on this port does not speak TLS"_s,
                u"Its first bytes are not a TLS record (OpenSSL: \"%1\"), and not text either: \"%2\"."_s.arg(
                    openssl, first),
                u"Connect to the server's TLS port; whatever speaks on this one is not TLS."_s);
        }
        const QString what = first.isEmpty() ? QString() : serverGreeting(first);
        return make(Party::Client, Party::Client, Step::FirstBytes, u"tls-to-plaintext-port"_s,
            u"the server on this port does not speak TLS"_s,
            first.isEmpty()
                ? u"Its first bytes are not a TLS record (OpenSSL: \"%1\"): it answered the ClientHello in something "
                  "else, most likely plaintext. What it sent is not recorded on this end."_s.arg(openssl)
                : u"Its first bytes are not a TLS record (OpenSSL: \"%1\") but plaintext%2: \"%3\"."_s.arg(
                    openssl, what.isEmpty() ? QString() : u" ("_s + what + u')', first),
            what.contains(u"SMTP"_s) || what.contains(u"IMAP"_s) || what.contains(u"POP3"_s)
                ? u"This port speaks plaintext first (a mail server there may offer STARTTLS, which TLS Lab does not "
                  "speak): connect with --plaintext to talk to it, or to its TLS port (465 for SMTP, 993 for IMAP, "
                  "995 for POP3)."_s
                : u"This port speaks plaintext: connect with --plaintext, or to the server's TLS port."_s);
    }
    if (text.contains(u"unsupported protocol"_s)) {
        return make(Party::Server, Party::Client, Step::ServerHello, u"protocol-version-mismatch"_s,
            u"the server chose a TLS version this client does not accept"_s,
            u"This client offered %1; OpenSSL refused the server's choice (\"unsupported protocol\")."_s.arg(
                f.requestedProtocol),
            u"The server must offer TLS 1.2 or later."_s);
    }
    if (f.timeout) {
        const qint64 ms = f.timeout->details.value(u"timeout_ms").toInteger();
        const qint64 bytes = f.timeout->details.value(u"bytes").toInteger(0); // recorded with the tap
        if (f.tapped && f.messagesReceived.isEmpty() && bytes > 0) {
            return make(Party::Server, Party::Client, Step::ServerHello, u"handshake-timeout"_s,
                u"the server started to answer the ClientHello and stopped"_s,
                u"%1 byte(s) came back within %2 ms of the ClientHello, not a whole TLS message, then nothing."_s
                    .arg(bytes)
                    .arg(ms),
                u"Check the server (stalled, overloaded, or a middlebox holding the connection); raise --timeout "
                "if it is slow by design."_s);
        }
        if (f.tapped && f.messagesReceived.isEmpty()) {
            return make(Party::Server, Party::Client, Step::ServerHello, u"silent-peer"_s,
                u"the server accepted the connection and never answered the ClientHello"_s,
                u"No TLS message came back within %1 ms of the ClientHello."_s.arg(ms),
                u"Check that this port speaks TLS (a server that waits for the client to speak plaintext first "
                "stays silent), or connect to its TLS port."_s);
        }
        return make(Party::Unknown, Party::Client, f.tapped ? Step::Finished : Step::ServerHello,
            u"handshake-timeout"_s, u"the TLS handshake did not complete in time"_s,
            u"The TCP connection was made, the ClientHello sent, and the handshake had not completed after %1 ms. "
            "%2"_s.arg(ms)
                .arg(f.tapped ? u"Messages received: %1."_s.arg(f.messagesReceived.size())
                              : u"Whether the server sent anything is not recorded on this end."_s),
            u"Check that the server speaks TLS on this port and is not overloaded; raise --timeout if it is slow."_s);
    }
    const bool wasReset = f.reset || text.contains(u"reset"_s);
    if (wasReset || text.contains(u"closed"_s) || text.contains(u"unexpected eof"_s)) {
        return make(Party::Unknown, Party::Server, f.encrypted ? Step::AfterHandshake : Step::ServerHello,
            wasReset ? u"reset-during-handshake"_s : u"closed-during-handshake"_s,
            wasReset ? u"the server reset the connection during the handshake"_s
                     : u"the server closed the connection during the handshake, without an alert"_s,
            (wasReset ? u"The server ended the TCP connection with a reset (RST), not a close (FIN), "_s
                      : u"The server closed the TCP connection (FIN) "_s)
                + (f.tapped ? u"after %1 TLS message(s) from it, "_s.arg(f.messagesReceived.size()) : QString())
                + u"and gave no reason (no alert). It may not speak TLS on this port, may not accept anything this "
                  "client offered, or may have failed; TLS Lab cannot know which from this end."_s,
            u"Look at the server's log; check that this port speaks TLS."_s);
    }
    if (s.reason == u"abandoned by the user") {
        return make(Party::Client, Party::Client, Step::Certificate, u"abandoned"_s,
            u"the user abandoned the connection"_s, QString(), QString());
    }
    return make(Party::Unknown, Party::Client, f.encrypted ? Step::AfterHandshake : Step::ServerHello, u"unknown"_s,
        s.reason.isEmpty() ? u"the connection failed"_s : s.reason,
        u"TLS Lab recorded: %1. It has no further facts to name a cause."_s.arg(f.failureText().trimmed()), QString());
}

std::optional<Verdict> serverVerdict(const DiagnosisInput &in, const EndFacts &f, const QDateTime &clock)
{
    const Session &s = in.session;
    const Party client = Party::Client, server = Party::Server;
    if (f.plaintextRefused) {
        const Event first = f.firstBytes.value_or(*f.plaintextRefused);
        const bool http = first.details.value(u"classification").toString() == u"http";
        QString why;
        if (http) {
            why = u"Its first bytes are a plaintext HTTP request: %1 %2."_s.arg(
                first.details.value(u"method").toString(), first.details.value(u"target").toString());
        } else {
            why = u"Its first bytes are not TLS: \"%1\" (hex %2)."_s.arg(
                first.details.value(u"preview").toString(), first.details.value(u"hex").toString());
        }
        if (f.plaintextRefused->details.contains(u"answered"))
            why += u" It was answered %1."_s.arg(f.plaintextRefused->details.value(u"answered").toString());
        return make(client, server, Step::FirstBytes, u"plaintext-to-tls-port"_s,
            http ? u"the client sent plaintext HTTP to this TLS port"_s
                 : u"the client sent plaintext to this TLS port"_s,
            why,
            http ? u"Use https:// (the client must speak TLS to this port)."_s
                 : u"This port speaks TLS: the client must use TLS (e.g. openssl s_client -connect HOST:PORT), or "
                   "connect to a plaintext port."_s);
    }
    if (!failedState(s))
        return std::nullopt;
    if (auto v = clientCertificateRejected(s, f, clock))
        return v;
    const QString text = f.failureText();
    const QString sentAlert = f.firstAlert(f.fatalAlertsSent);
    QStringList versions;
    QString alpn;
    qint64 suites = -1;
    if (f.clientHello) {
        versions = EndFacts::textList(f.clientHello->details.value(u"versions"));
        alpn = join(EndFacts::textList(f.clientHello->details.value(u"alpn")));
        const QCborValue offered = f.clientHello->details.value(u"cipher_suites");
        suites = offered.isArray() ? offered.toArray().size() : offered.toInteger(-1);
    }
    if (sentAlert == u"protocol_version" || text.contains(u"unsupported protocol"_s)) {
        // Version names as the ClientHello parser writes them ("TLS 1.3"); the tap may write "TLSv1.3".
        const auto offers = [&versions](QStringView v) {
            return std::any_of(
                versions.cbegin(), versions.cend(), [v](const QString &offered) { return offered.endsWith(v); });
        };
        const bool offers13 = offers(u"1.3"), offers12 = offers(u"1.2");
        const bool clientOld = !versions.isEmpty() && !offers13;
        const QString refused
            = versions.size() == 1 ? u"this listener does not accept it"_s : u"this listener accepts none of them"_s;
        if (clientOld && !offers12) {
            // TLS 1.1 and older: no setting of this listener accepts them (RFC 8996 deprecates them).
            return make(client, server, Step::ClientHello, u"protocol-version-mismatch"_s,
                u"the client offers only TLS versions older than 1.2"_s,
                u"The client offered %1; %2. TLS Lab speaks TLS 1.2 and 1.3 only: TLS 1.1 and older are deprecated "
                "(RFC 8996)."_s.arg(join(versions), refused),
                u"Enable TLS 1.2 or 1.3 in the client (e.g. openssl s_client without -tls1_1, curl --tlsv1.2)."_s);
        }
        return make(clientOld ? client : server, server, Step::ClientHello, u"protocol-version-mismatch"_s,
            u"the two ends have no TLS version in common"_s,
            u"The client offered %1; %2%3."_s.arg(join(versions), refused,
                clientOld ? u" (it accepts TLS 1.3 only)"_s : u" (it does not accept TLS 1.3)"_s),
            clientOld ? u"The client is the outdated one: upgrade it to TLS 1.3, or let this listener accept TLS "
                        "1.2 too (serve --tls 1.2+)."_s
                      : u"Let this listener accept TLS 1.3 (serve --tls 1.2+ or --tls 1.3)."_s);
    }
    // Groups before cipher suites: with no group in common OpenSSL drops every (EC)DHE suite and says only "no shared
    // cipher" (TLS 1.2) or "no suitable key share" (TLS 1.3). Claimed only when the client's list was recorded.
    const bool groupsRecorded = f.clientHello && f.clientHello->details.value(u"groups").isArray();
    const QStringList clientGroups
        = groupsRecorded ? EndFacts::textList(f.clientHello->details.value(u"groups")) : QStringList();
    const QStringList ourGroups = defaultGroups();
    // An empty list is no group offer at all (a client offering no (EC)DHE suite sends none), not a mismatch.
    const bool noCommonGroup = groupsRecorded && !clientGroups.isEmpty() && !ourGroups.isEmpty()
        && std::none_of(clientGroups.cbegin(), clientGroups.cend(),
            [&ourGroups](const QString &g) { return ourGroups.contains(g); });
    if (noCommonGroup
        && (text.contains(u"no shared cipher"_s) || text.contains(u"no suitable key share"_s)
            || text.contains(u"no shared group"_s))) {
        return make(client, server, Step::ClientHello, u"no-shared-group"_s,
            u"the client offered no key exchange group this listener accepts"_s,
            u"The client offered the groups %1; this listener accepts %2 (OpenSSL's defaults here). Without a group in "
            "common no (EC)DHE key exchange is possible (OpenSSL: \"%3\")."_s.arg(join(clientGroups),
                ourGroups.join(u", "_s),
                text.contains(u"no shared cipher"_s) ? u"no shared cipher"_s : u"no suitable key share"_s),
            u"The client must offer a group this listener accepts, such as x25519 or secp256r1 (current TLS stacks "
            "offer them by default: look for a groups or curves setting, e.g. openssl -groups)."_s);
    }
    if (text.contains(u"no shared cipher"_s)) {
        const QSslCertificate leaf = in.localChain.value(0);
        const QString keyType = leaf.isNull() ? QString() : detailsOf(leaf).publicKeyAlgorithm;
        const QStringList offered
            = f.clientHello ? EndFacts::textList(f.clientHello->details.value(u"cipher_suites")) : QStringList();
        // The certificate a TLS 1.2 suite needs, from its IANA name (TLS 1.3 suites work with any).
        const SuiteNeeds needs = suiteNeeds(offered);
        // The suites themselves, the first dozen (a client may offer a hundred; the count says how many).
        const QString named = offered.isEmpty()
            ? QString()
            : u" ("_s + join(offered.mid(0, 12)) + (offered.size() > 12 ? u", …"_s : QString()) + u')';
        QString why = u"The client offered %1 cipher suite(s)%2; none is enabled here%3."_s.arg(
            suites < 0 ? u"?"_s : QString::number(suites), named,
            keyType.isEmpty() ? QString() : u" for this listener's %1 certificate"_s.arg(keyType));
        if (offered.isEmpty())
            why += offerFromTap(f.message(false, u"ClientHello"));
        QString fix = u"The client must offer current cipher suites (ECDHE with AES-GCM or ChaCha20; its defaults "
                      "usually do), or the listener needs a certificate whose key type matches the suites it offers."_s;
        const bool ecKey = keyType == u"EC" || keyType == u"Ed25519" || keyType == u"Ed448";
        const bool rsaKey = keyType.startsWith(u"RSA"_s);
        if (needs == SuiteNeeds::Rsa && ecKey) {
            why += u" Every suite it offered is authenticated with an RSA certificate, and this listener's key is %1."_s
                       .arg(keyType);
            fix = u"Serve an RSA certificate (tlslab cert new --key-type rsa-2048 ...), or let the client offer "
                  u"ECDHE-ECDSA "
                  "suites or TLS 1.3 (its defaults do)."_s;
        } else if (needs == SuiteNeeds::Ecdsa && rsaKey) {
            why += u" Every suite it offered is authenticated with an ECDSA certificate, and this listener's key is RSA."_s;
            fix = u"Serve an EC certificate (tlslab cert new --key-type ec-p256 ...), or let the client offer "
                  u"ECDHE-RSA "
                  "suites or TLS 1.3 (its defaults do)."_s;
        }
        return make(Party::Either, server, Step::ClientHello, u"no-shared-cipher"_s,
            u"no cipher suite the client offered works with this listener"_s, why, fix);
    }
    if (text.contains(u"packet length too long"_s) && f.firstBytes
        && f.firstBytes->details.value(u"classification").toString().startsWith(u"tls-"_s)) {
        // The first bytes looked like a TLS record, but the record is longer than TLS allows (RFC 8446, 5.1).
        return make(Party::Client, server, Step::FirstBytes, u"record-overflow"_s,
            u"the client sent a TLS record longer than TLS allows"_s,
            u"Its first bytes are a TLS record header whose length is beyond the most a record may carry (16,384 "
            "bytes of plaintext, 18,432 protected); OpenSSL answered record_overflow (OpenSSL: \"%1\")."_s.arg(
                text.trimmed()),
            u"The client is broken or is not speaking TLS: look at its first bytes (the first-bytes event)."_s);
    }
    if (text.contains(u"no suitable key share"_s) || text.contains(u"no shared group"_s)) {
        return make(Party::Either, server, Step::ClientHello, u"no-shared-group"_s,
            u"no key exchange group in common"_s, u"OpenSSL: \"%1\"."_s.arg(text.trimmed()),
            u"The client must offer a common group (X25519, P-256)."_s);
    }
    if (sentAlert == u"no_application_protocol" || text.contains(u"no application protocol"_s)) {
        return make(Party::Either, server, Step::ClientHello, u"no-alpn-overlap"_s,
            u"none of the application protocols (ALPN) the client offered is served here"_s,
            u"The client offered ALPN %1."_s.arg(alpn),
            u"Offer a protocol this listener serves, or serve one the client offers (serve --alpn LIST)."_s);
    }
    if (auto v = serverAlertReceivedVerdict(s, f, in, clock))
        return v;
    if (f.closed && f.closed->summary.contains(u"by the listener"_s)) {
        return make(Party::Unknown, server, f.clientHello ? Step::ServerHello : Step::FirstBytes, u"listener-stopped"_s,
            u"this listener stopped while the connection was being set up"_s,
            u"The connection was still in its handshake when the listener was stopped; nothing is known about the "
            "client's intent."_s,
            u"None needed if the stop was meant; otherwise keep the listener running."_s);
    }
    if (f.timeout) {
        const qint64 ms = f.timeout->details.value(u"timeout_ms").toInteger();
        const qint64 bytes = f.timeout->details.value(u"bytes").toInteger();
        if (!f.clientHello && bytes == 0) {
            return make(client, server, Step::FirstBytes, u"silent-peer"_s, u"the client connected and sent nothing"_s,
                u"No byte arrived within %1 ms of the TCP connection."_s.arg(ms),
                u"This port speaks TLS and waits for the client's ClientHello: a client that waits for the server to "
                "speak first (SMTP, FTP, POP3) must start TLS itself or use the plaintext port."_s);
        }
        return make(client, server, f.clientHello ? Step::Finished : Step::ClientHello, u"handshake-timeout"_s,
            u"the client started but did not finish the handshake in time"_s,
            f.clientHello
                ? u"The client sent its ClientHello and did not complete the handshake within %1 ms (it may "
                  "be waiting on a person deciding whether to trust the certificate)."_s.arg(ms)
                : u"The client sent %1 byte(s) that are not yet a whole ClientHello, then nothing for %2 ms."_s
                      .arg(bytes)
                      .arg(ms),
            u"Check the client; raise --handshake-timeout if it is slow by design."_s);
    }
    const bool wasReset = f.reset || text.contains(u"reset"_s);
    if (wasReset || f.closed || text.contains(u"closed"_s) || text.contains(u"unexpected eof"_s)) {
        const bool beforeHello = !f.clientHello && !f.firstBytes;
        Verdict v = make(Party::Unknown, client, beforeHello ? Step::FirstBytes : Step::ServerHello,
            wasReset ? u"reset-during-handshake"_s : u"closed-during-handshake"_s,
            wasReset ? u"the client reset the connection during the handshake"_s
                     : u"the client closed the connection during the handshake, without an alert"_s,
            beforeHello ? u"It sent nothing before it %1."_s.arg(wasReset ? u"reset"_s : u"closed"_s)
                        : u"After its ClientHello it %1 without an alert. Clients that reject a certificate often do "
                          "that silently (a Qt client by default), but the client gave no reason, so TLS Lab cannot "
                          "tell."_s.arg(wasReset ? u"reset the connection"_s : u"closed the connection"_s),
            u"Look at the client's own error (for openssl s_client, -verify_return_error makes it send the alert "
            "that names its reason)."_s);
        if (f.tapped && !f.messagesSent.isEmpty())
            v.why += u" This listener had sent: %1."_s.arg([&f] {
                QStringList types;
                for (const Event &m : f.messagesSent)
                    types.append(m.details.value(u"type").toString());
                return types.join(u", "_s);
            }());
        return v;
    }
    return make(Party::Unknown, client, Step::ServerHello, u"unknown"_s,
        s.reason.isEmpty() ? u"the connection failed"_s : s.reason,
        u"TLS Lab recorded: %1. It has no further facts to name a cause."_s.arg(text.trimmed()), QString());
}

// Codes that only say "the other end gave up without a reason": the other end's own view, when we have it, is better.
bool isVague(const QString &code)
{
    return code == u"peer-aborted-handshake" || code == u"closed-during-handshake" || code == u"reset-during-handshake"
        || code == u"unknown";
}

// What a session (or a listener's certificate) would fail on elsewhere, gathered as notes.
struct Notes
{
    QStringList codes, causes, why, fixes;

    void add(const QString &code, const QString &cause, const QString &because, const QString &fix)
    {
        codes.append(code);
        causes.append(cause);
        why.append(because);
        fixes.append(fix);
    }

    // A server certificate that its client accepted but other clients may refuse.
    void addCertificate(const QSslCertificate &leaf, const QDateTime &clock)
    {
        if (leaf.isNull())
            return;
        const CertificateDetails d = detailsOf(leaf);
        if (d.isCa && !d.isSelfSigned) {
            add(u"ca-as-server-certificate"_s, u"the server's certificate is a CA certificate"_s,
                u"%1 has basicConstraints CA:TRUE; many clients (and browsers) refuse a CA certificate as a "
                "server's certificate."_s.arg(TlsText::certificateName(leaf)),
                u"Serve a leaf certificate (tlslab cert new --profile server) issued by that CA."_s);
        } else if (d.isCa) {
            add(u"ca-as-server-certificate"_s, u"the server's certificate is a self-signed CA certificate"_s,
                u"%1 has basicConstraints CA:TRUE; clients that trust it as a CA may still refuse it as a "
                "server's certificate."_s.arg(TlsText::certificateName(leaf)),
                u"Serve a leaf certificate issued by a CA."_s);
        }
        const qint64 secondsLeft = clock.secsTo(leaf.expiryDate());
        if (secondsLeft >= 0 && secondsLeft < 30 * 86400) {
            add(u"expires-soon"_s, u"the server's certificate expires within 30 days"_s,
                u"%1 expires on %2 (%3 days from the handshake)."_s
                    .arg(TlsText::certificateName(leaf), dateText(leaf.expiryDate()))
                    .arg(secondsLeft / 86400),
                u"Renew the certificate before %1."_s.arg(dateText(leaf.expiryDate())));
        }
    }

    Verdict note(Verdict::Party side, Verdict::Step step) const
    {
        Verdict v = make(
            side, Verdict::Party::Unknown, step, codes.first(), causes.join(u"; "_s), why.join(u' '), fixes.join(u' '));
        v.kind = Verdict::Kind::Note;
        return v;
    }
};

// The client answered a CertificateRequest with an empty Certificate message (it had none to send).
bool sentNoCertificate(const EndFacts &f)
{
    const std::optional<Event> certificate = f.message(true, u"Certificate");
    return certificate && certificate->details.value(u"certificate_count").toInteger(-1) == 0;
}

// Notes for a session that succeeded but would fail elsewhere.
std::optional<Verdict> notes(const DiagnosisInput &in, const EndFacts &f, const QDateTime &clock)
{
    const Session &s = in.session;
    if (!f.encrypted)
        return std::nullopt;
    Notes notes;
    const std::optional<Event> &ending = f.reset ? f.reset : f.closed;
    if (s.side == Side::Client && s.protocol == u"TLSv1.3" && f.dataReceived.isEmpty() && ending
        && ending->summary.contains(u"server"_s)) {
        // In TLS 1.3 the client finishes its half before the server has checked its certificate: a server that
        // refuses it may just close. Not a failure TLS Lab can prove from this end; worth saying. With the tap,
        // whether the server asked for a certificate at all is known.
        const QString closed
            = u"the server %1 the connection right after the handshake, without sending anything"_s.arg(
                f.reset ? u"reset"_s : u"closed"_s);
        if (f.tapped && !f.received(u"CertificateRequest")) {
            notes.add(u"closed-after-handshake"_s, closed,
                u"It asked for no client certificate, so it did not close over one; it sent no alert, so this end "
                "cannot tell why (a server with nothing to say closes like this too)."_s,
                u"If you expected an answer, look at the server's log: it closed without saying why."_s);
        } else {
            notes.add(u"closed-after-handshake"_s, closed,
                u"In TLS 1.3 a server that rejects the client (its certificate, say) after the handshake may close "
                "like this without an alert; this end cannot tell that from a server with nothing to say."_s,
                f.tapped && sentNoCertificate(f)
                    ? u"The server asked for a client certificate and this client sent none: connect with --cert FILE "
                      "--key FILE."_s
                    : u"If the server requires a client certificate, connect with --cert FILE --key FILE."_s);
        }
    }
    if (s.untrusted) {
        QStringList errors;
        for (const QSslError &e : s.verifyErrors)
            errors.append(TlsText::errorCode(e.error()));
        notes.add(u"verification-errors-ignored"_s,
            u"the server's certificate did not verify and the errors were ignored"_s,
            u"Ignored for this connection only: %1."_s.arg(join(errors)),
            u"Fix the certificate problem before relying on this connection."_s);
    }
    // A listener's own certificate is the same for every session it serves: it is judged once, when the listener
    // starts (certificateNote), not again on every connection.
    if (s.side == Side::Client)
        notes.addCertificate(s.peerChain.value(0), clock);
    // The name the client asked for (SNI), which this listener's certificate does not cover: a client that checks
    // the name refuses it, some (curl) only after the handshake, closing without a word.
    const QSslCertificate ours = in.localChain.value(0);
    if (s.side == Side::Server && !s.peerName.isEmpty() && !ours.isNull()
        && !certificateCovers(coveredNames(ours), s.peerName)) {
        const std::optional<Event> &end = f.reset ? f.reset : f.closed;
        const bool quietClose = f.dataReceived.isEmpty() && end && end->summary.contains(u"client"_s);
        notes.add(u"sni-not-covered"_s, u"the client asked for a name this listener's certificate does not cover"_s,
            u"The client asked for \"%1\" (SNI); %2 covers: %3. A client that checks the name refuses it.%4"_s.arg(
                s.peerName, TlsText::certificateName(ours), join(coveredNames(ours)),
                quietClose ? u" This one closed right after the handshake without sending anything, as clients "
                             "that check the name after the handshake (curl, for one) do when it does not match."_s
                           : QString()),
            u"Serve a certificate that covers \"%1\", or have the client ask for a name the certificate covers "
            "(%2)."_s.arg(s.peerName, coveredNames(ours).value(0)));
    }
    // ALPN answered with a protocol the client never offered: conforming clients abort (RFC 7301, section 3.2).
    const QStringList alpnOffered = s.side == Side::Client
        ? f.offeredAlpn
        : (f.clientHello ? EndFacts::textList(f.clientHello->details.value(u"alpn")) : QStringList());
    if (!s.alpn.isEmpty() && !alpnOffered.isEmpty() && !alpnOffered.contains(s.alpn)) {
        notes.add(u"alpn-not-offered"_s, u"the server chose an application protocol the client did not offer"_s,
            u"The server selected ALPN %1; the client offered %2."_s.arg(s.alpn, join(alpnOffered)),
            u"The server must answer no_application_protocol, or serve one of %1 (serve --alpn LIST)."_s.arg(
                join(alpnOffered)));
    }
    if (f.encryptedEvent && s.protocol == u"TLSv1.2") {
        const QCborValue ems = f.encryptedEvent->details.value(u"extended_master_secret");
        if (ems.isBool() && !ems.toBool()) {
            notes.add(u"no-extended-master-secret"_s, u"TLS 1.2 without the extended master secret"_s,
                u"The session was negotiated without RFC 7627's extended master secret; strict clients and FIPS "
                "configurations refuse that."_s,
                u"Use TLS 1.3, or a TLS stack that supports extended master secret."_s);
        }
    }
    if (notes.codes.isEmpty())
        return std::nullopt;
    return notes.note(s.side == Side::Client && !s.untrusted ? Party::Server : Party::Either,
        notes.codes.first() == u"no-extended-master-secret" ? Step::ServerHello : Step::Certificate);
}

std::optional<Verdict> diagnoseOneEnd(const DiagnosisInput &in)
{
    const Session &s = in.session;
    const EndFacts f(in.events);
    QDateTime clock = in.now;
    if (!clock.isValid())
        clock = QDateTime::fromMSecsSinceEpoch((s.endUs ? s.endUs : s.startUs) / 1000, QTimeZone::utc());
    if (!ended(s))
        return std::nullopt;
    std::optional<Verdict> v = s.side == Side::Client ? clientVerdict(in, f, clock) : serverVerdict(in, f, clock);
    if (!v && !failedState(s))
        return notes(in, f, clock);
    return v;
}

} // namespace

std::optional<Verdict> certificateNote(const QList<QSslCertificate> &chain, const QDateTime &now)
{
    Notes notes;
    notes.addCertificate(chain.value(0), now);
    if (notes.codes.isEmpty())
        return std::nullopt;
    return notes.note(Verdict::Party::Server, Verdict::Step::Certificate);
}

std::optional<Verdict> diagnose(const DiagnosisInput &input)
{
    std::optional<Verdict> own = diagnoseOneEnd(input);
    if (!own || !own->isFailure() || !input.other)
        return own;
    // Both ends are in this process: the end that gave up knows why. Ask it when this end's verdict is vague, or
    // when this end only saw the other give up (an alert about our certificate names no reason of its own).
    const Verdict::Party otherParty
        = input.other->side == Side::Client ? Verdict::Party::Client : Verdict::Party::Server;
    if (!isVague(own->causeCode) && own->gaveUp != otherParty)
        return own;
    // Both ends are in this process: the end that gave up knows why.
    DiagnosisInput mirror;
    mirror.session = *input.other;
    mirror.events = input.otherEvents;
    mirror.now = input.now;
    if (input.session.side == Side::Client)
        mirror.localChain = input.session.peerChain;
    const std::optional<Verdict> theirs = diagnoseOneEnd(mirror);
    if (!theirs || !theirs->isFailure() || isVague(theirs->causeCode))
        return own;
    if (!isVague(own->causeCode) && (theirs->gaveUp != otherParty || theirs->causeCode == own->causeCode))
        return own; // the other end did not decide either, or agrees: keep this end's words, meant for its user
    Verdict v = *theirs;
    v.why = u"The other end (session #%1, in this process) says: %2"_s.arg(input.other->id).arg(theirs->why);
    if (input.session.side == Side::Server && v.step == Step::Certificate
        && theirs->causeCode != u"peer-rejected-certificate")
        v.cause = u"the client rejected this listener's certificate: "_s + theirs->cause;
    return v;
}

} // namespace TlsLab::Model
