#include "model/tls/tlstap.h"

#include "model/core/event.h"
#include "model/core/opensslutil.h"

#include <QHostAddress>
#include <QMetaObject>
#include <QObject>
#include <QSslSocket>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cstring>
#include <mutex>
#include <sys/socket.h>

#ifdef TLSLAB_SHARE_TLS_CONTEXT
#include <QtNetwork/private/qsslsocket_p.h>
#endif

namespace TlsLab::Model {

namespace {

int g_ctxIndex = -1;
int g_sslIndex = -1;
thread_local TlsTap *t_binding = nullptr; // the tap of the Scope being executed on this thread

// Stable session ticket keys for the listeners of this process: Qt gives every new TLS context random keys, so a Qt
// server alone never resumes a session (QT-TLS-FACTS.md).
struct TicketKeys
{
    unsigned char name[16];
    unsigned char aes[32];
    unsigned char hmac[32];
    TicketKeys()
    {
        RAND_bytes(name, sizeof name);
        RAND_bytes(aes, sizeof aes);
        RAND_bytes(hmac, sizeof hmac);
    }
};

TicketKeys &ticketKeys()
{
    static TicketKeys keys;
    return keys;
}

std::shared_ptr<TlsTap> *holderOf(const SSL *ssl)
{
    if (g_sslIndex < 0 || !ssl)
        return nullptr;
    return static_cast<std::shared_ptr<TlsTap> *>(SSL_get_ex_data(ssl, g_sslIndex));
}

} // namespace

struct TlsTap::Callbacks
{
    static TlsTap *tapOf(const SSL *ssl)
    {
        std::shared_ptr<TlsTap> *holder = holderOf(ssl);
        return holder ? holder->get() : nullptr;
    }

    static void onNewContext(void *parent, void *, CRYPTO_EX_DATA *, int, long, void *)
    {
        auto *ctx = static_cast<SSL_CTX *>(parent);
        SSL_CTX_set_msg_callback(ctx, &Callbacks::onMessage);
        // With a key-log callback set, OpenSSL formats every secret of every handshake into a line (a sprintf per
        // byte): a tenth of a listener's CPU. Set it only on the contexts of connections whose lines are kept.
        if (t_binding && t_binding->m_options.keyLog)
            SSL_CTX_set_keylog_callback(ctx, &Callbacks::onKeyLog);
        if (t_binding && t_binding->m_options.stableTickets)
            SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, &Callbacks::onTicketKey);
    }

    static void onNewSsl(void *parent, void *, CRYPTO_EX_DATA *ad, int index, long, void *)
    {
        TlsTap *tap = t_binding;
        if (!tap || tap->m_bound)
            return; // not ours (Qt's probes), or a second SSL inside one scope
        auto *ssl = static_cast<SSL *>(parent);
        CRYPTO_set_ex_data(ad, index, new std::shared_ptr<TlsTap>(tap->shared_from_this()));
        tap->bind(ssl);
    }

    static void onFreeSsl(void *parent, void *ptr, CRYPTO_EX_DATA *, int, long, void *)
    {
        auto *holder = static_cast<std::shared_ptr<TlsTap> *>(ptr);
        if (!holder)
            return;
        auto *ssl = static_cast<SSL *>(parent);
        // The BIOs are freed after this hook: their callbacks must not reach the tap any more.
        for (BIO *bio : {SSL_get_rbio(ssl), SSL_get_wbio(ssl)}) {
            if (bio) {
                BIO_set_callback_ex(bio, nullptr);
                BIO_set_callback_arg(bio, nullptr);
            }
        }
        (*holder)->released();
        delete holder;
    }

    static void onMessage(int writeP, int version, int contentType, const void *buf, size_t len, SSL *ssl, void *)
    {
        TlsTap *tap = tapOf(ssl);
        if (!tap)
            return;
        if (!tap->m_biosAttached) {
            // The first callback of a connection comes before OpenSSL has processed any message, and after Qt has
            // finished setting the connection up (Qt sets its own ALPN choice on the context after SSL_new).
            tap->attachBios();
            tap->applyOverrides();
        }
        const auto *bytes = static_cast<const unsigned char *>(buf);
        const int dir = writeP ? 1 : 0;
        switch (contentType) {
        case SSL3_RT_HEADER:
            if (len >= 1)
                tap->m_lastOuterType[dir] = bytes[0];
            if (!writeP)
                ++tap->m_recordsIn;
            return;
        case SSL3_RT_INNER_CONTENT_TYPE:
            return;
        default:
            break;
        }
        if (!tap->m_options.messages)
            return;
        TapItem item;
        item.sent = writeP;
        item.timeUs = nowUs();
        item.encrypted = tap->m_lastOuterType[dir] == SSL3_RT_APPLICATION_DATA
            || (tap->m_ccsSeen[dir] && version != TLS1_3_VERSION);
        item.bytes = QByteArray(static_cast<const char *>(buf), qsizetype(std::min<size_t>(len, 1024 * 1024)));
        switch (contentType) {
        case SSL3_RT_HANDSHAKE:
            item.kind = TapItem::Kind::Handshake;
            item.records = tap->m_recordsIn;
            item.reads = tap->m_readsIn;
            break;
        case SSL3_RT_CHANGE_CIPHER_SPEC:
            item.kind = TapItem::Kind::ChangeCipherSpec;
            tap->m_ccsSeen[dir] = true;
            break;
        case SSL3_RT_ALERT:
            if (writeP) {
                // Written into the write BIO, not yet on the wire: it counts as sent once Qt has read it out.
                BIO *wbio = SSL_get_wbio(ssl);
                item.kind = TapItem::Kind::AlertSent;
                if (wbio) {
                    tap->m_pendingAlerts.append({BIO_number_written(wbio), item});
                } else {
                    item.kind = TapItem::Kind::AlertNotSent;
                    tap->push(item);
                }
                return;
            }
            item.kind = TapItem::Kind::Alert;
            break;
        default:
            return; // application data and pseudo content types: not recorded as messages
        }
        tap->push(item);
    }

    static long onBio(BIO *bio, int oper, const char *argp, size_t, int, long, int ret, size_t *processed)
    {
        // Called before and after every operation on the BIOs, controls included (Qt asks for the pending bytes
        // many times a handshake): only bytes going in or out matter, so decide that first.
        const bool in = oper == (BIO_CB_WRITE | BIO_CB_RETURN);
        if ((!in && oper != (BIO_CB_READ | BIO_CB_RETURN)) || ret <= 0 || !processed || !argp)
            return ret;
        auto *tap = reinterpret_cast<TlsTap *>(BIO_get_callback_arg(bio));
        if (!tap || !tap->m_ssl)
            return ret;
        if (in && bio == SSL_get_rbio(tap->m_ssl)) {
            ++tap->m_readsIn;
            tap->addWire(false, argp, *processed);
        } else if (!in && bio == SSL_get_wbio(tap->m_ssl)) {
            tap->addWire(true, argp, *processed);
            if (tap->m_pendingAlerts.isEmpty())
                return ret;
            const quint64 readOut = BIO_number_read(bio);
            while (!tap->m_pendingAlerts.isEmpty() && tap->m_pendingAlerts.constFirst().endOffset <= readOut) {
                TapItem item = tap->m_pendingAlerts.takeFirst().item;
                item.timeUs = nowUs();
                tap->push(item);
            }
        }
        return ret;
    }

    static void onKeyLog(const SSL *ssl, const char *line)
    {
        TlsTap *tap = tapOf(ssl);
        if (!tap || !tap->m_options.keyLog || !line)
            return;
        TapItem item;
        item.kind = TapItem::Kind::KeyLogLine;
        item.timeUs = nowUs();
        item.bytes = QByteArray(line);
        tap->push(item);
    }

    static int onVerify(int ok, X509_STORE_CTX *store)
    {
        auto *ssl = static_cast<SSL *>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
        TlsTap *tap = tapOf(ssl);
        if (ok || !tap)
            return ok;
        TapVerifyFailure failure;
        failure.x509Error = X509_STORE_CTX_get_error(store);
        failure.depth = X509_STORE_CTX_get_error_depth(store);
        failure.certificateDer = Ossl::derOf(X509_STORE_CTX_get_current_cert(store));
        tap->m_verifyFailures.append(failure);
        if (tap->m_sentChain.isEmpty()) {
            // The verification's untrusted stack is the chain as the peer sent it, leaf first.
            const STACK_OF(X509) *sent = X509_STORE_CTX_get0_untrusted(store);
            for (int i = 0; i < sk_X509_num(sent); ++i)
                tap->m_sentChain.append(Ossl::derOf(sk_X509_value(sent, i)));
        }
        return 0; // OpenSSL now sends the fatal alert that matches the error
    }

    static int onAlpnSelect(
        SSL *ssl, const unsigned char **out, unsigned char *outlen, const unsigned char *in, unsigned int inlen, void *)
    {
        TlsTap *tap = tapOf(ssl);
        if (!tap || tap->m_alpnWire.isEmpty())
            return SSL_TLSEXT_ERR_NOACK;
        unsigned char *selected = nullptr;
        const int result = SSL_select_next_proto(&selected, outlen,
            reinterpret_cast<const unsigned char *>(tap->m_alpnWire.constData()), uint(tap->m_alpnWire.size()), in,
            inlen);
        if (result != OPENSSL_NPN_NEGOTIATED)
            return SSL_TLSEXT_ERR_ALERT_FATAL; // no_application_protocol, as RFC 7301 asks
        *out = selected;
        return SSL_TLSEXT_ERR_OK;
    }

    static int onTicketKey(
        SSL *, unsigned char keyName[16], unsigned char *iv, EVP_CIPHER_CTX *cipher, EVP_MAC_CTX *mac, int encrypt)
    {
        TicketKeys &keys = ticketKeys();
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, keys.hmac, sizeof keys.hmac),
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char *>("SHA256"), 0),
            OSSL_PARAM_construct_end(),
        };
        if (encrypt) {
            std::memcpy(keyName, keys.name, sizeof keys.name);
            if (RAND_bytes(iv, 16) <= 0)
                return -1;
            if (!EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, keys.aes, iv)
                || !EVP_MAC_CTX_set_params(mac, params))
                return -1;
            return 1;
        }
        if (std::memcmp(keyName, keys.name, sizeof keys.name) != 0)
            return 0; // not ours: a full handshake
        if (!EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, keys.aes, iv)
            || !EVP_MAC_CTX_set_params(mac, params))
            return -1;
        return 1;
    }
};

namespace {
// The hooks must exist before Qt's TLS backend allocates its own ex-data index (it uses the indexes after its own
// without allocating them), so they are registered before main().
const bool g_installedEarly = (TlsTap::install(), true);
} // namespace

void TlsTap::install()
{
    static std::once_flag once;
    std::call_once(once, [] {
        g_ctxIndex = SSL_CTX_get_ex_new_index(0, nullptr, &Callbacks::onNewContext, nullptr, nullptr);
        g_sslIndex = SSL_get_ex_new_index(0, nullptr, &Callbacks::onNewSsl, nullptr, &Callbacks::onFreeSsl);
        ticketKeys();
    });
    Q_UNUSED(g_installedEarly);
}

bool TlsTap::isAvailable()
{
    return g_ctxIndex >= 0 && g_sslIndex >= 0;
}

std::shared_ptr<TlsTap> TlsTap::create(const Options &options)
{
    install();
    return std::shared_ptr<TlsTap>(new TlsTap(options));
}

TlsTap::TlsTap(const Options &options)
    : m_options(options)
{
    for (const QByteArray &protocol : options.serverAlpn) {
        if (protocol.isEmpty() || protocol.size() > 255)
            continue;
        m_alpnWire.append(char(protocol.size()));
        m_alpnWire.append(protocol);
    }
}

TlsTap::~TlsTap() = default;

TlsTap::Scope::Scope(const std::shared_ptr<TlsTap> &tap)
    : m_previous(t_binding)
{
    t_binding = tap.get();
}

TlsTap::Scope::~Scope()
{
    t_binding = m_previous;
}

void TlsTap::bind(ssl_st *ssl)
{
    m_ssl = ssl;
    m_bound = true;
}

void TlsTap::applyOverrides()
{
    SSL *ssl = m_ssl;
    if (m_options.verify == Verify::RejectWithAlert) {
        int mode = SSL_VERIFY_PEER;
        if (m_options.requirePeerCertificate)
            mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
        SSL_set_verify(ssl, mode, &Callbacks::onVerify);
        if (!m_options.verifyName.isEmpty()) {
            X509_VERIFY_PARAM *param = SSL_get0_param(ssl);
            const QByteArray name = m_options.verifyName.toUtf8();
            if (QHostAddress(m_options.verifyName).isNull())
                X509_VERIFY_PARAM_set1_host(param, name.constData(), size_t(name.size()));
            else
                X509_VERIFY_PARAM_set1_ip_asc(param, name.constData());
        }
    }
    if (!m_options.clientCaCertificatesDer.isEmpty()) {
        STACK_OF(X509_NAME) *names = sk_X509_NAME_new_null();
        for (const QByteArray &der : std::as_const(m_options.clientCaCertificatesDer)) {
            const auto *data = reinterpret_cast<const unsigned char *>(der.constData());
            if (X509 *ca = d2i_X509(nullptr, &data, long(der.size()))) {
                if (X509_NAME *name = X509_NAME_dup(X509_get_subject_name(ca)))
                    sk_X509_NAME_push(names, name);
                X509_free(ca);
            }
        }
        SSL_set_client_CA_list(ssl, names); // takes ownership
    }
    if (!m_alpnWire.isEmpty()) {
        // Qt's own choice answers a client with no protocol in common with one the client never offered.
        SSL_CTX_set_alpn_select_cb(SSL_get_SSL_CTX(ssl), &Callbacks::onAlpnSelect, nullptr);
    }
}

void TlsTap::attachBios()
{
    m_biosAttached = true;
    BIO *rbio = SSL_get_rbio(m_ssl);
    BIO *wbio = SSL_get_wbio(m_ssl);
    if (rbio) {
        // Bytes Qt gave OpenSSL before this first callback: what has been read of them, and what is still waiting.
        const quint64 consumed = BIO_number_read(rbio);
        char *pending = nullptr;
        const long waiting = BIO_get_mem_data(rbio, &pending);
        if (consumed > 0 || waiting > 0)
            m_readsIn = 1;
        if (consumed > 0 && !m_earlyIncoming.isEmpty())
            addWire(false, m_earlyIncoming.constData(), size_t(std::min<qsizetype>(consumed, m_earlyIncoming.size())));
        if (waiting > 0)
            addWire(false, pending, size_t(waiting));
        BIO_set_callback_arg(rbio, reinterpret_cast<char *>(this));
        BIO_set_callback_ex(rbio, &Callbacks::onBio);
    }
    if (wbio) {
        BIO_set_callback_arg(wbio, reinterpret_cast<char *>(this));
        BIO_set_callback_ex(wbio, &Callbacks::onBio);
    }
}

void TlsTap::signalEndOfInput()
{
    if (BIO *rbio = m_ssl ? SSL_get_rbio(m_ssl) : nullptr)
        BIO_set_mem_eof_return(rbio, 0);
}

qsizetype TlsTap::sendPendingOutput(qintptr descriptor)
{
    BIO *wbio = m_ssl ? SSL_get_wbio(m_ssl) : nullptr;
    if (!wbio || descriptor < 0)
        return 0;
    char *data = nullptr;
    const long pending = BIO_get_mem_data(wbio, &data);
    if (pending <= 0)
        return 0;
    const ssize_t sent = ::send(int(descriptor), data, size_t(pending), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent <= 0)
        return 0;
    // Take out what left, through the BIO, so the tap's own accounting marks the alerts in it as sent.
    QByteArray drained(sent, Qt::Uninitialized);
    BIO_read(wbio, drained.data(), int(sent));
    return sent;
}

void TlsTap::addWire(bool sent, const char *data, size_t size)
{
    if (sent) {
        m_bytesOut += size;
    } else {
        m_bytesIn += size;
        m_lastInUs = nowUs();
    }
    if (m_options.wireLimit <= 0)
        return;
    const qsizetype room = m_options.wireLimit - m_wireBytes;
    if (room <= 0) {
        m_wireTruncated = true;
        return;
    }
    const qsizetype take = std::min<qsizetype>(room, qsizetype(size));
    if (take < qsizetype(size))
        m_wireTruncated = true;
    m_wire.append({nowUs(), sent, QByteArray(data, take)});
    m_wireBytes += take;
}

void TlsTap::released()
{
    for (PendingAlert &pending : m_pendingAlerts) {
        pending.item.kind = TapItem::Kind::AlertNotSent;
        push(pending.item);
    }
    m_pendingAlerts.clear();
    m_ssl = nullptr;
}

void TlsTap::push(TapItem item)
{
    m_items.append(std::move(item));
    if (m_posted || !m_context || !m_onItems)
        return;
    m_posted = true;
    std::weak_ptr<TlsTap> weak = weak_from_this();
    QMetaObject::invokeMethod(
        m_context.data(),
        [weak] {
            if (std::shared_ptr<TlsTap> tap = weak.lock()) {
                tap->m_posted = false;
                if (tap->m_onItems)
                    tap->m_onItems();
            }
        },
        Qt::QueuedConnection);
}

void TlsTap::setReceiver(QObject *context, std::function<void()> onItems)
{
    m_context = context;
    m_onItems = std::move(onItems);
}

QList<TapItem> TlsTap::takeItems()
{
    return std::exchange(m_items, {});
}

QString TlsTap::negotiatedGroup() const
{
    if (!m_ssl)
        return {};
    const int nid = SSL_get_negotiated_group(m_ssl);
    if (nid <= 0)
        return {};
    const char *name = SSL_group_to_name(m_ssl, nid);
    return name ? QString::fromLatin1(name) : QString::number(nid);
}

bool TlsTap::sessionReused() const
{
    return m_ssl && SSL_session_reused(m_ssl) == 1;
}

QByteArray TlsTap::selectedAlpn() const
{
    if (!m_ssl)
        return {};
    const unsigned char *data = nullptr;
    unsigned int length = 0;
    SSL_get0_alpn_selected(m_ssl, &data, &length);
    return data ? QByteArray(reinterpret_cast<const char *>(data), qsizetype(length)) : QByteArray();
}

int TlsTap::protocolVersion() const
{
    return m_ssl ? SSL_version(m_ssl) : 0;
}

std::shared_ptr<void> TlsTap::contextOf(QSslSocket *socket)
{
#ifdef TLSLAB_SHARE_TLS_CONTEXT
    return QSslSocketPrivate::sslContext(socket);
#else
    Q_UNUSED(socket);
    return {};
#endif
}

void TlsTap::reuseContext(QSslSocket *socket, const std::shared_ptr<void> &context)
{
#ifdef TLSLAB_SHARE_TLS_CONTEXT
    if (context)
        QSslSocketPrivate::checkSettingSslContext(socket, std::static_pointer_cast<QSslContext>(context));
#else
    Q_UNUSED(socket);
    Q_UNUSED(context);
#endif
}

} // namespace TlsLab::Model
