#include "model/core/eventcbor.h"

#include <QtEndian>

#include <cstring>

namespace TlsLab::Model::EventCbor {

namespace {

// The head's bytes for major and argument at out (9 at most); returns how many.
int head(char *out, Major major, quint64 argument)
{
    const char m = char(major << 5);
    if (argument < 24) {
        out[0] = char(m | char(argument));
        return 1;
    }
    if (argument <= 0xff) {
        out[0] = char(m | 24);
        out[1] = char(argument);
        return 2;
    }
    if (argument <= 0xffff) {
        out[0] = char(m | 25);
        qToBigEndian(quint16(argument), out + 1);
        return 3;
    }
    if (argument <= 0xffffffffu) {
        out[0] = char(m | 26);
        qToBigEndian(quint32(argument), out + 1);
        return 5;
    }
    out[0] = char(m | 27);
    qToBigEndian(argument, out + 1);
    return 9;
}

} // namespace

// QByteArray::append(const char *, n) goes through insert(): for the few bytes written here at a time, growing the
// size and copying is several times cheaper.
void appendBytes(QByteArray &out, const char *bytes, qsizetype n)
{
    const qsizetype at = out.size();
    out.resize(at + n);
    std::memcpy(out.data() + at, bytes, size_t(n));
}

void appendHead(QByteArray &out, Major major, quint64 argument)
{
    if (argument < 24) {
        out.append(char((major << 5) | int(argument)));
        return;
    }
    char bytes[9];
    appendBytes(out, bytes, head(bytes, major, argument));
}

void appendText(QByteArray &out, QStringView text)
{
    // Most of what we record is ASCII: written without a temporary UTF-8 copy.
    const qsizetype size = text.size();
    const char16_t *in = text.utf16();
    for (qsizetype i = 0; i < size; ++i) {
        if (in[i] >= 0x80) {
            const QByteArray utf8 = text.toUtf8();
            appendHead(out, Text, quint64(utf8.size()));
            out.append(utf8);
            return;
        }
    }
    appendHead(out, Text, quint64(size));
    const qsizetype at = out.size();
    out.resize(at + size);
    char *o = out.data() + at;
    for (qsizetype i = 0; i < size; ++i)
        o[i] = char(in[i]);
}

void appendText(QByteArray &out, QLatin1StringView text)
{
    const qsizetype size = text.size();
    const char *in = text.data();
    for (qsizetype i = 0; i < size; ++i) {
        if (quint8(in[i]) >= 0x80) {
            appendText(out, QStringView(QString(text)));
            return;
        }
    }
    char bytes[9];
    const int headSize = head(bytes, Text, quint64(size));
    const qsizetype at = out.size();
    out.resize(at + headSize + size);
    char *o = out.data() + at;
    std::memcpy(o, bytes, size_t(headSize));
    std::memcpy(o + headSize, in, size_t(size));
}

void appendInteger(QByteArray &out, qint64 value)
{
    if (value >= 0)
        appendHead(out, Unsigned, quint64(value));
    else
        appendHead(out, Negative, quint64(-1 - value));
}

void appendBool(QByteArray &out, bool value)
{
    out.append(char(value ? 0xf5 : 0xf4));
}

qsizetype beginContainer(QByteArray &out)
{
    out.append(char(0));
    return out.size() - 1;
}

void endContainer(QByteArray &out, qsizetype at, Major major, quint64 count)
{
    char bytes[9];
    const int n = head(bytes, major, count);
    if (n > 1)
        out.insert(at + 1, n - 1, char(0));
    std::memcpy(out.data() + at, bytes, size_t(n));
}

} // namespace TlsLab::Model::EventCbor
