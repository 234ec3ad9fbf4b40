#include "model/tls/fingerprints.h"

#include "model/tls/hellodissection.h"
#include "model/tls/tlsnames.h"

#include <QVarLengthArray>

#include <openssl/evp.h>

#include <algorithm>
#include <memory>

using namespace Qt::StringLiterals;

namespace TlsLab::Model {

namespace {

// The strings are built byte by byte into one buffer: this runs for every connection, and the parse-plus-fingerprint
// budget is 2 µs.
using Text = QVarLengthArray<char, 512>;
using Values = QVarLengthArray<quint16, 64>;

void appendDecimal(Text &out, uint value)
{
    char digits[10];
    int n = 0;
    do {
        digits[n++] = char('0' + value % 10);
        value /= 10;
    } while (value);
    while (n)
        out.append(digits[--n]);
}

void appendHex4(Text &out, quint16 value)
{
    static constexpr char Hex[] = "0123456789abcdef";
    out.append(Hex[(value >> 12) & 0xf]);
    out.append(Hex[(value >> 8) & 0xf]);
    out.append(Hex[(value >> 4) & 0xf]);
    out.append(Hex[value & 0xf]);
}

template<typename List>
void appendDecimals(Text &out, const List &values, char separator = '-')
{
    bool first = true;
    for (auto v : values) {
        if (!first)
            out.append(separator);
        appendDecimal(out, uint(v));
        first = false;
    }
}

template<typename List>
void appendHexList(Text &out, const List &values)
{
    bool first = true;
    for (quint16 v : values) {
        if (!first)
            out.append(',');
        appendHex4(out, v);
        first = false;
    }
}

Values withoutGrease(const QList<quint16> &values)
{
    Values out;
    for (quint16 v : values) {
        if (!isGrease(v))
            out.append(v);
    }
    return out;
}

QByteArrayView view(const Text &text)
{
    return QByteArrayView(text.constData(), text.size());
}

QString latin1(const Text &text)
{
    return QString::fromLatin1(text.constData(), text.size());
}

// OpenSSL's digests, fetched once: QCryptographicHash's own MD5 and SHA-256 took more than half of the 2 µs budget,
// and an implicit fetch per call (EVP_md5()) costs about as much as the hashing.
const EVP_MD *digest(const char *name)
{
    return EVP_MD_fetch(nullptr, name, nullptr); // kept for the life of the process
}

// Appends the lower-case hex of the digest of text, its first `length` characters.
void appendHexDigest(Text &out, QByteArrayView text, const EVP_MD *md, int length)
{
    // One digest context per thread, reused: making one per call costs about a third of an MD5 of a JA3 string.
    struct ContextFree
    {
        void operator()(EVP_MD_CTX *c) const { EVP_MD_CTX_free(c); }
    };
    thread_local const std::unique_ptr<EVP_MD_CTX, ContextFree> context(EVP_MD_CTX_new());
    unsigned char hash[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (!md || !context || !EVP_DigestInit_ex2(context.get(), md, nullptr)
        || !EVP_DigestUpdate(context.get(), text.data(), size_t(text.size()))
        || !EVP_DigestFinal_ex(context.get(), hash, &size))
        return;
    static constexpr char Hex[] = "0123456789abcdef";
    length = qMin(length, int(2 * size));
    for (int i = 0; i < length; ++i)
        out.append(Hex[(hash[i / 2] >> (i % 2 ? 0 : 4)) & 0xf]);
}

const EVP_MD *md5()
{
    static const EVP_MD *const md = digest("MD5");
    return md;
}

const EVP_MD *sha256()
{
    static const EVP_MD *const md = digest("SHA256");
    return md;
}

// JA4's "a" part: t13d1516h2.
void appendTwoDigits(Text &out, qsizetype count)
{
    const int n = int(qMin<qsizetype>(count, 99));
    out.append(char('0' + n / 10));
    out.append(char('0' + n % 10));
}

bool isAlphanumeric(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// The sorted, GREASE-free extension list of JA4 (no SNI, no ALPN) into out; returns whether it is non-empty.
bool ja4Extensions(Text &out, const Values &extensions)
{
    Values sorted;
    for (quint16 e : extensions) {
        if (e != 0x0000 && e != 0x0010)
            sorted.append(e);
    }
    std::sort(sorted.begin(), sorted.end());
    appendHexList(out, sorted);
    return !sorted.isEmpty();
}

} // namespace

QString md5Hex(QByteArrayView text)
{
    Text out;
    appendHexDigest(out, text, md5(), 32);
    return latin1(out);
}

namespace Ja4 {

QString versionCode(quint16 version)
{
    switch (version) {
    case 0x0304:
        return u"13"_s;
    case 0x0303:
        return u"12"_s;
    case 0x0302:
        return u"11"_s;
    case 0x0301:
        return u"10"_s;
    case 0x0300:
        return u"s3"_s;
    case 0x0002:
        return u"s2"_s;
    case 0xfeff:
        return u"d1"_s;
    case 0xfefd:
        return u"d2"_s;
    case 0xfefc:
        return u"d3"_s;
    default:
        return u"00"_s;
    }
}

QString alpnCode(QByteArrayView first)
{
    if (first.isEmpty())
        return u"00"_s;
    const char a = first.front();
    const char b = first.back();
    if (isAlphanumeric(a) && isAlphanumeric(b))
        return QString(QLatin1Char(a)) + QLatin1Char(b);
    // The first and last characters of the hex form of the whole value.
    const QByteArray hex = first.toByteArray().toHex();
    return QString(QLatin1Char(hex.front())) + QLatin1Char(hex.back());
}

QString cipherHash(const QList<quint16> &ciphers)
{
    Values sorted = withoutGrease(ciphers);
    if (sorted.isEmpty())
        return u"000000000000"_s;
    std::sort(sorted.begin(), sorted.end());
    Text text;
    appendHexList(text, sorted);
    Text hash;
    appendHexDigest(hash, view(text), sha256(), 12);
    return latin1(hash);
}

QString extensionHash(const QList<quint16> &extensions, const QList<quint16> &signatureAlgorithms)
{
    Text text;
    if (!ja4Extensions(text, withoutGrease(extensions)))
        return u"000000000000"_s;
    const Values schemes = withoutGrease(signatureAlgorithms);
    if (!schemes.isEmpty()) {
        text.append('_');
        appendHexList(text, schemes);
    }
    Text hash;
    appendHexDigest(hash, view(text), sha256(), 12);
    return latin1(hash);
}

} // namespace Ja4

ClientFingerprints clientFingerprints(const ClientHelloDissection &hello)
{
    ClientFingerprints f;
    if (hello.status != DissectionStatus::Complete)
        return f;
    const Values ciphers = withoutGrease(hello.cipherSuites);
    Values extensions;
    for (const HelloExtension &x : hello.extensions) {
        if (!x.isGrease())
            extensions.append(x.type);
    }
    const Values groups = withoutGrease(hello.supportedGroups);

    // JA3 and JA3N: the same string but for the order of the extensions.
    Text ja3;
    appendDecimal(ja3, hello.legacyVersion);
    ja3.append(',');
    appendDecimals(ja3, ciphers);
    ja3.append(',');
    const qsizetype extensionsAt = ja3.size();
    appendDecimals(ja3, extensions);
    const qsizetype extensionsEnd = ja3.size();
    ja3.append(',');
    appendDecimals(ja3, groups);
    ja3.append(',');
    appendDecimals(ja3, hello.ecPointFormats);
    f.ja3 = latin1(ja3);
    Text hash;
    appendHexDigest(hash, view(ja3), md5(), 32);
    f.ja3Md5 = latin1(hash);

    Values sortedExtensions = extensions;
    std::sort(sortedExtensions.begin(), sortedExtensions.end());
    Text ja3n;
    ja3n.append(ja3.constData(), extensionsAt);
    appendDecimals(ja3n, sortedExtensions);
    ja3n.append(ja3.constData() + extensionsEnd, ja3.size() - extensionsEnd);
    f.ja3n = latin1(ja3n);
    hash.clear();
    appendHexDigest(hash, view(ja3n), md5(), 32);
    f.ja3nMd5 = latin1(hash);

    // JA4 part a: t13d1516h2.
    Text a;
    a.append('t');
    const QString version = Ja4::versionCode(hello.highestVersion());
    a.append(char(version.at(0).unicode()));
    a.append(char(version.at(1).unicode()));
    a.append(hello.hasExtension(0x0000) ? 'd' : 'i');
    appendTwoDigits(a, ciphers.size());
    appendTwoDigits(a, extensions.size());
    const QString alpn = Ja4::alpnCode(hello.alpn.isEmpty() ? QByteArrayView() : QByteArrayView(hello.alpn.front()));
    a.append(char(alpn.at(0).unicode()));
    a.append(char(alpn.at(1).unicode()));
    a.append('_');

    // Parts b and c, raw (JA4_r) and hashed (JA4).
    Values sortedCiphers = ciphers;
    std::sort(sortedCiphers.begin(), sortedCiphers.end());
    Text b;
    appendHexList(b, sortedCiphers);
    Text c;
    const bool anyExtensions = ja4Extensions(c, extensions);
    const Values schemes = withoutGrease(hello.signatureAlgorithms);
    if (!schemes.isEmpty()) {
        c.append('_');
        appendHexList(c, schemes);
    }
    Text ja4 = a;
    if (sortedCiphers.isEmpty())
        ja4.append("000000000000", 12);
    else
        appendHexDigest(ja4, view(b), sha256(), 12);
    ja4.append('_');
    if (anyExtensions)
        appendHexDigest(ja4, view(c), sha256(), 12);
    else
        ja4.append("000000000000", 12);
    f.ja4 = latin1(ja4);
    Text raw = a;
    raw.append(b.constData(), b.size());
    raw.append('_');
    raw.append(c.constData(), c.size());
    f.ja4r = latin1(raw);
    return f;
}

ServerFingerprints serverFingerprints(const ServerHelloDissection &hello)
{
    ServerFingerprints f;
    if (hello.status != DissectionStatus::Complete)
        return f;
    Text text;
    appendDecimal(text, hello.legacyVersion);
    text.append(',');
    appendDecimal(text, hello.cipherSuite);
    text.append(',');
    Values extensions;
    for (const HelloExtension &x : hello.extensions) {
        if (!x.isGrease())
            extensions.append(x.type);
    }
    appendDecimals(text, extensions);
    f.ja3s = latin1(text);
    Text hash;
    appendHexDigest(hash, view(text), md5(), 32);
    f.ja3sMd5 = latin1(hash);
    return f;
}

QCborMap ClientFingerprints::toCbor() const
{
    return QCborMap {{u"ja3"_s, ja3}, {u"ja3_md5"_s, ja3Md5}, {u"ja3n"_s, ja3n}, {u"ja3n_md5"_s, ja3nMd5},
        {u"ja4"_s, ja4}, {u"ja4_r"_s, ja4r}};
}

QCborMap ServerFingerprints::toCbor() const
{
    return QCborMap {{u"ja3s"_s, ja3s}, {u"ja3s_md5"_s, ja3sMd5}};
}

} // namespace TlsLab::Model
