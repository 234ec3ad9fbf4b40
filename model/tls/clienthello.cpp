#include "model/tls/clienthello.h"

#include "model/tls/grease.h"

#include <array>

using namespace Qt::StringLiterals;

namespace TlsLab::Model {

namespace {

constexpr int MaxHandshakeBytes = 64 * 1024; // a ClientHello larger than this is treated as malformed
constexpr int MaxHttpLine = 4096;

constexpr std::array<const char *, 9> httpMethods
    = {"GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "CONNECT ", "PATCH ", "TRACE "};

// A bounds-checked reader over a byte range. Every read fails softly once past the end.
class Reader
{
public:
    Reader(const uchar *data, qsizetype size)
        : m_data(data)
        , m_size(size)
    { }
    bool ok() const { return m_ok; }
    qsizetype remaining() const { return m_ok ? m_size - m_pos : 0; }
    quint8 u8()
    {
        if (!need(1))
            return 0;
        return m_data[m_pos++];
    }
    quint16 u16()
    {
        if (!need(2))
            return 0;
        const quint16 v = quint16(m_data[m_pos] << 8 | m_data[m_pos + 1]);
        m_pos += 2;
        return v;
    }
    quint32 u24()
    {
        if (!need(3))
            return 0;
        const quint32 v = quint32(m_data[m_pos]) << 16 | quint32(m_data[m_pos + 1]) << 8 | m_data[m_pos + 2];
        m_pos += 3;
        return v;
    }
    Reader sub(qsizetype length)
    {
        if (!need(length))
            return Reader(nullptr, 0, false);
        Reader r(m_data + m_pos, length);
        m_pos += length;
        return r;
    }
    QByteArray bytes(qsizetype length)
    {
        if (!need(length))
            return {};
        QByteArray b(reinterpret_cast<const char *>(m_data + m_pos), length);
        m_pos += length;
        return b;
    }
    void skip(qsizetype length)
    {
        if (need(length))
            m_pos += length;
    }

private:
    Reader(const uchar *data, qsizetype size, bool ok)
        : m_data(data)
        , m_size(size)
        , m_ok(ok)
    { }
    bool need(qsizetype n)
    {
        if (!m_ok || n < 0 || m_size - m_pos < n)
            m_ok = false;
        return m_ok;
    }
    const uchar *m_data;
    qsizetype m_size;
    qsizetype m_pos = 0;
    bool m_ok = true;
};

bool isPrefixOfHttpMethod(const QByteArray &data)
{
    for (const char *method : httpMethods) {
        const QByteArray m = QByteArray::fromRawData(method, qsizetype(qstrlen(method)));
        if (data.size() < m.size() && m.startsWith(data))
            return true;
    }
    return false;
}

void parseExtensions(Reader extensions, ClientHelloInfo &hello)
{
    while (extensions.ok() && extensions.remaining() > 0) {
        const quint16 type = extensions.u16();
        const quint16 length = extensions.u16();
        Reader body = extensions.sub(length);
        if (!extensions.ok())
            return;
        ++hello.extensionCount;
        switch (type) {
        case 0x0000: { // server_name
            Reader list = body.sub(body.u16());
            while (list.ok() && list.remaining() > 0) {
                const quint8 nameType = list.u8();
                const QByteArray name = list.bytes(list.u16());
                if (list.ok() && nameType == 0 && hello.serverName.isEmpty())
                    hello.serverName = QString::fromUtf8(name);
            }
            break;
        }
        case 0x0010: { // application_layer_protocol_negotiation
            Reader list = body.sub(body.u16());
            while (list.ok() && list.remaining() > 0) {
                const QByteArray protocol = list.bytes(list.u8());
                if (list.ok())
                    hello.alpn.append(protocol);
            }
            break;
        }
        case 0x002b: { // supported_versions
            Reader list = body.sub(body.u8());
            while (list.ok() && list.remaining() >= 2)
                hello.supportedVersions.append(list.u16());
            break;
        }
        case 0x000a: { // supported_groups
            Reader list = body.sub(body.u16());
            while (list.ok() && list.remaining() >= 2)
                hello.groups.append(list.u16());
            break;
        }
        default:
            break;
        }
    }
}

// Parses a complete ClientHello handshake message body. Returns an empty string on success, else the problem.
QString parseClientHello(const QByteArray &message, ClientHelloInfo &hello)
{
    Reader r(reinterpret_cast<const uchar *>(message.constData()), message.size());
    hello.legacyVersion = r.u16();
    r.skip(32); // random
    r.skip(r.u8()); // legacy_session_id
    const quint16 suitesLength = r.u16();
    Reader suites = r.sub(suitesLength);
    while (suites.ok() && suites.remaining() >= 2)
        hello.cipherSuites.append(suites.u16());
    r.skip(r.u8()); // compression methods
    if (!r.ok())
        return u"the ClientHello is truncated"_s;
    if ((hello.legacyVersion >> 8) != 3)
        return u"the ClientHello names an unknown version %1"_s.arg(tlsVersionName(hello.legacyVersion));
    if (r.remaining() == 0)
        return {}; // no extensions (old clients)
    Reader extensions = r.sub(r.u16());
    if (!r.ok())
        return u"the ClientHello's extensions are truncated"_s;
    parseExtensions(extensions, hello);
    return {};
}

} // namespace

quint16 ClientHelloInfo::highestVersion() const
{
    quint16 best = 0;
    for (quint16 v : supportedVersions) {
        if (isGrease(v))
            continue;
        best = std::max(best, v);
    }
    return best ? best : legacyVersion;
}

FirstBytes classifyFirstBytes(const QByteArray &data)
{
    FirstBytes result;
    if (data.isEmpty())
        return result;

    const auto *bytes = reinterpret_cast<const uchar *>(data.constData());
    if (bytes[0] == 0x16) {
        // Reassemble the handshake message from as many handshake records as it takes.
        QByteArray handshake;
        qsizetype pos = 0;
        bool first = true;
        while (true) {
            if (data.size() - pos < 5)
                return result; // need the next record header
            const uchar *h = bytes + pos;
            if (h[0] != 0x16) {
                result.kind = FirstBytes::Kind::TlsMalformed;
                result.problem
                    = u"the ClientHello is followed by a record of type %1 before it is complete"_s.arg(h[0]);
                return result;
            }
            const quint16 version = quint16(h[1] << 8 | h[2]);
            const quint16 length = quint16(h[3] << 8 | h[4]);
            if (first)
                result.hello.recordVersion = version;
            if (h[1] != 3) {
                result.kind = FirstBytes::Kind::TlsMalformed;
                result.problem = u"the first record names version 0x%1, which is not TLS"_s.arg(
                    uint(version), 4, 16, QLatin1Char('0'));
                return result;
            }
            if (length == 0 || length > 16384) {
                result.kind = FirstBytes::Kind::TlsMalformed;
                result.problem = u"the first record has an impossible length of %1 bytes"_s.arg(length);
                return result;
            }
            if (data.size() - pos - 5 < length)
                return result; // the record is not complete yet
            handshake.append(data.constData() + pos + 5, length);
            pos += 5 + length;
            first = false;
            if (handshake.size() >= 4) {
                const auto *hs = reinterpret_cast<const uchar *>(handshake.constData());
                if (hs[0] != 1) {
                    result.kind = FirstBytes::Kind::TlsMalformed;
                    result.problem = u"the first handshake message is of type %1, not a ClientHello"_s.arg(hs[0]);
                    return result;
                }
                const quint32 messageLength = quint32(hs[1]) << 16 | quint32(hs[2]) << 8 | hs[3];
                if (messageLength > MaxHandshakeBytes) {
                    result.kind = FirstBytes::Kind::TlsMalformed;
                    result.problem = u"the ClientHello claims %1 bytes, more than any real one"_s.arg(messageLength);
                    return result;
                }
                if (quint32(handshake.size() - 4) >= messageLength) {
                    const QString problem = parseClientHello(handshake.mid(4, messageLength), result.hello);
                    result.kind = problem.isEmpty() ? FirstBytes::Kind::TlsClientHello : FirstBytes::Kind::TlsMalformed;
                    result.problem = problem;
                    return result;
                }
            }
        }
    }

    for (const char *method : httpMethods) {
        const QByteArray m = QByteArray::fromRawData(method, qsizetype(qstrlen(method)));
        if (data.startsWith(m)) {
            const qsizetype eol = data.indexOf('\n');
            if (eol < 0 && data.size() < MaxHttpLine)
                return result; // wait for the request line
            result.kind = FirstBytes::Kind::Http;
            result.httpMethod = QString::fromLatin1(m.trimmed());
            const QByteArray line = data.left(eol < 0 ? MaxHttpLine : eol).trimmed();
            const QList<QByteArray> parts = line.split(' ');
            if (parts.size() >= 2)
                result.httpTarget = QString::fromLatin1(parts.at(1));
            return result;
        }
    }
    if (isPrefixOfHttpMethod(data))
        return result; // "GE" may become "GET "

    result.kind = FirstBytes::Kind::Plaintext;
    int printable = 0;
    for (uchar c : data) {
        if ((c >= 0x20 && c < 0x7f) || c == '\n' || c == '\r' || c == '\t')
            ++printable;
    }
    result.printable = printable * 10 >= data.size() * 9;
    return result;
}

QString tlsVersionName(quint16 version)
{
    switch (version) {
    case 0x0300:
        return u"SSL 3.0"_s;
    case 0x0301:
        return u"TLS 1.0"_s;
    case 0x0302:
        return u"TLS 1.1"_s;
    case 0x0303:
        return u"TLS 1.2"_s;
    case 0x0304:
        return u"TLS 1.3"_s;
    default:
        if ((version & 0xff00) == 0x7f00)
            return u"TLS 1.3 draft %1"_s.arg(version & 0xff);
        return u"0x%1"_s.arg(uint(version), 4, 16, QLatin1Char('0'));
    }
}

QString kindDescription(FirstBytes::Kind kind)
{
    switch (kind) {
    case FirstBytes::Kind::NeedMore:
        return u"incomplete"_s;
    case FirstBytes::Kind::TlsClientHello:
        return u"TLS ClientHello"_s;
    case FirstBytes::Kind::TlsMalformed:
        return u"malformed TLS record"_s;
    case FirstBytes::Kind::Http:
        return u"plaintext HTTP request"_s;
    case FirstBytes::Kind::Plaintext:
        return u"plaintext data"_s;
    }
    return {};
}

} // namespace TlsLab::Model
