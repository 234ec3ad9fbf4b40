#include "model/core/event.h"

#include <QCborValue>
#include <QDateTime>

#include <QJsonDocument>
#include <QJsonValue>
#include <QVarLengthArray>

#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>

using namespace Qt::StringLiterals;

namespace TlsLab::Model {

namespace {
constexpr std::array<const char *, size_t(EventKind::KindCount)> kindNames = {
    "listener-started",
    "listener-stopped",
    "listener-failed",
    "tcp-accepted",
    "tcp-connected",
    "first-bytes",
    "client-hello",
    "handshake-started",
    "encrypted",
    "verify-error",
    "errors-ignored",
    "alert-sent",
    "alert-received",
    "handshake-failed",
    "plaintext-refused",
    "timeout",
    "data-sent",
    "data-received",
    "closed",
    "reset",
    "socket-error",
    "tls-message",
    "limit",
    "diagnosis",
};
} // namespace

QString kindName(EventKind kind)
{
    const auto i = size_t(kind);
    return i < kindNames.size() ? QLatin1String(kindNames[i]) : u"unknown"_s;
}

EventKind kindFromName(QStringView name)
{
    for (size_t i = 0; i < kindNames.size(); ++i) {
        if (name == QLatin1String(kindNames[i]))
            return EventKind(i);
    }
    return EventKind::KindCount;
}

QString sideName(Side side)
{
    return side == Side::Server ? u"server"_s : u"client"_s;
}

QString severityName(Severity severity)
{
    switch (severity) {
    case Severity::Debug:
        return u"debug"_s;
    case Severity::Info:
        return u"info"_s;
    case Severity::Success:
        return u"success"_s;
    case Severity::Warning:
        return u"warning"_s;
    case Severity::Error:
        return u"error"_s;
    }
    return u"info"_s;
}

qint64 nowUs()
{
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

QString previewBytes(const QByteArray &bytes, int maxBytes)
{
    // Written into a buffer of the largest possible size, then cut: this runs for every data event.
    static constexpr char hex[] = "0123456789abcdef";
    const int n = int(std::min<qsizetype>(bytes.size(), maxBytes));
    QString out(n * 4 + 1, Qt::Uninitialized);
    QChar *o = out.data();
    for (int i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        char escaped = 0;
        switch (c) {
        case '\n':
            escaped = 'n';
            break;
        case '\r':
            escaped = 'r';
            break;
        case '\t':
            escaped = 't';
            break;
        case '\\':
            escaped = '\\';
            break;
        default:
            break;
        }
        if (escaped) {
            *o++ = u'\\';
            *o++ = QLatin1Char(escaped);
        } else if (c >= 0x20 && c < 0x7f) {
            *o++ = QLatin1Char(char(c));
        } else {
            *o++ = u'\\';
            *o++ = u'x';
            *o++ = QLatin1Char(hex[c >> 4]);
            *o++ = QLatin1Char(hex[c & 15]);
        }
    }
    if (bytes.size() > maxBytes)
        *o++ = QChar(0x2026); // …
    out.truncate(o - out.constData());
    return out;
}

QJsonObject Event::toJson() const
{
    QJsonObject o;
    o.insert(u"time"_s, formatTimeUs(timeUs));
    o.insert(u"t_us"_s, QJsonValue(double(timeUs)));
    o.insert(u"session"_s, QJsonValue(double(session)));
    o.insert(u"side"_s, sideName(side));
    o.insert(u"kind"_s, kindName(kind));
    o.insert(u"severity"_s, severityName(severity));
    o.insert(u"summary"_s, summary);
    if (!details.isEmpty())
        o.insert(u"details"_s, details.toJsonObject());
    return o;
}

namespace {

void appendJsonText(QByteArray &out, const QString &text)
{
    // ASCII (nearly every summary) is written straight into the line, without a UTF-8 copy.
    const char16_t *in = QStringView(text).utf16();
    const qsizetype size = text.size();
    for (qsizetype i = 0; i < size; ++i) {
        if (in[i] >= 0x80) {
            const QByteArray utf8 = text.toUtf8();
            appendJsonString(out, utf8.constData(), utf8.size());
            return;
        }
    }
    QVarLengthArray<char, 256> ascii(size);
    for (qsizetype i = 0; i < size; ++i)
        ascii[i] = char(in[i]);
    appendJsonString(out, ascii.constData(), size);
}

void appendJsonText(QByteArray &out, const char *ascii)
{
    appendJsonString(out, ascii, qsizetype(std::strlen(ascii)));
}

const char *sideText(Side side)
{
    return side == Side::Server ? "server" : "client";
}

const char *severityText(Severity severity)
{
    switch (severity) {
    case Severity::Debug:
        return "debug";
    case Severity::Info:
        return "info";
    case Severity::Success:
        return "success";
    case Severity::Warning:
        return "warning";
    case Severity::Error:
        return "error";
    }
    return "info";
}

const char *kindText(EventKind kind)
{
    const auto i = size_t(kind);
    return i < kindNames.size() ? kindNames[i] : "unknown";
}

void appendNumber(QByteArray &out, qint64 value)
{
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    out.append(digits, end - digits);
}

void appendTimeSlowly(QByteArray &out, qint64 timeUs);

// "2026-11-27T10:34:23.220616Z": UTC with microseconds, so that lines from different machines and time zones can
// be merged and sorted; without QDateTime's general formatting machinery, as this runs for every printed event.
void appendTime(QByteArray &out, qint64 timeUs)
{
    if (timeUs >= 0) {
        // The date and time of day change once a second: formatted once per second (per thread), not per event.
        thread_local qint64 cachedSecond = -1;
        thread_local char cached[20]; // 2026-11-27T10:34:23
        const qint64 second = timeUs / 1'000'000;
        if (second != cachedSecond) {
            const time_t seconds = time_t(second);
            tm utc {};
            gmtime_r(&seconds, &utc);
            char buffer[40];
            const int n = std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
            if (n != 19) // a year beyond 9999: the general form below
                return appendTimeSlowly(out, timeUs);
            std::memcpy(cached, buffer, 19);
            cachedSecond = second;
        }
        char text[28];
        std::memcpy(text, cached, 19);
        text[19] = '.';
        int micro = int(timeUs % 1'000'000);
        for (int i = 25; i >= 20; --i) {
            text[i] = char('0' + micro % 10);
            micro /= 10;
        }
        text[26] = 'Z';
        out.append(text, 27);
        return;
    }
    appendTimeSlowly(out, timeUs);
}

void appendTimeSlowly(QByteArray &out, qint64 timeUs)
{
    const time_t seconds = time_t(timeUs / 1'000'000);
    tm utc {};
    gmtime_r(&seconds, &utc);
    char buffer[40];
    const int n = std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", utc.tm_year + 1900,
        utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, int(timeUs % 1'000'000));
    out.append(buffer, n);
}

} // namespace

QString formatTimeUs(qint64 timeUs)
{
    QByteArray text;
    appendTime(text, timeUs);
    return QString::fromLatin1(text);
}

QByteArray Event::toJsonLine() const
{
    // Keys in the order QJsonDocument writes them (sorted), so both forms read the same.
    QByteArray out;
    out.reserve(256 + summary.size() * 2 + details.encodedFields().size() * 3 / 2);
    out.append('{');
    if (!details.isEmpty()) {
        out.append("\"details\":");
        if (!details.appendJson(out))
            out.append(QJsonDocument(details.toJsonObject()).toJson(QJsonDocument::Compact));
        out.append(',');
    }
    out.append("\"kind\":");
    appendJsonText(out, kindText(kind));
    out.append(",\"session\":");
    char digits[24];
    out.append(digits, std::to_chars(digits, digits + sizeof digits, session).ptr - digits);
    out.append(",\"severity\":");
    appendJsonText(out, severityText(severity));
    out.append(",\"side\":");
    appendJsonText(out, sideText(side));
    out.append(",\"summary\":");
    appendJsonText(out, summary);
    out.append(",\"t_us\":");
    appendNumber(out, timeUs);
    out.append(",\"time\":\"");
    appendTime(out, timeUs);
    out.append("\"}\n");
    return out;
}

QString Event::toText() const
{
    const QString time = QDateTime::fromMSecsSinceEpoch(timeUs / 1000).toString(u"HH:mm:ss.zzz"_s)
        + QString::number(timeUs % 1000).rightJustified(3, u'0');
    return time + u"  #"_s + QString::number(session).leftJustified(4) + u' ' + sideName(side).leftJustified(6) + u' '
        + kindName(kind).leftJustified(17) + u' ' + summary;
}

} // namespace TlsLab::Model
