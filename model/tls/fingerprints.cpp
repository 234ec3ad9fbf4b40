#include "model/tls/fingerprints.h"

#include "model/tls/hellodissection.h"
#include "model/tls/tlsnames.h"

#include <QCryptographicHash>
#include <QVarLengthArray>

#include <algorithm>

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

QString sha256Prefix(const Text &text)
{
    return QString::fromLatin1(QCryptographicHash::hash(view(text), QCryptographicHash::Sha256).toHex().left(12));
}

// A count as JA4 writes it: two digits, 99 at most.
QString twoDigits(qsizetype count)
{
    const int n = int(qMin<qsizetype>(count, 99));
    const char digits[2] = {char('0' + n / 10), char('0' + n % 10)};
    return QString::fromLatin1(digits, 2);
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
    return QString::fromLatin1(QCryptographicHash::hash(text, QCryptographicHash::Md5).toHex());
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
    return sha256Prefix(text);
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
    return sha256Prefix(text);
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
    f.ja3Md5 = md5Hex(view(ja3));

    Values sortedExtensions = extensions;
    std::sort(sortedExtensions.begin(), sortedExtensions.end());
    Text ja3n;
    ja3n.append(ja3.constData(), extensionsAt);
    appendDecimals(ja3n, sortedExtensions);
    ja3n.append(ja3.constData() + extensionsEnd, ja3.size() - extensionsEnd);
    f.ja3n = latin1(ja3n);
    f.ja3nMd5 = md5Hex(view(ja3n));

    // JA4 part a.
    const QString a = u't' + Ja4::versionCode(hello.highestVersion())
        + QLatin1Char(hello.hasExtension(0x0000) ? 'd' : 'i') + twoDigits(ciphers.size()) + twoDigits(extensions.size())
        + Ja4::alpnCode(hello.alpn.isEmpty() ? QByteArrayView() : QByteArrayView(hello.alpn.front()));

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
    const QString zeros = u"000000000000"_s;
    f.ja4 = a + u'_' + (sortedCiphers.isEmpty() ? zeros : sha256Prefix(b)) + u'_'
        + (anyExtensions ? sha256Prefix(c) : zeros);
    f.ja4r = a + u'_' + latin1(b) + u'_' + latin1(c);
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
    f.ja3sMd5 = md5Hex(view(text));
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
