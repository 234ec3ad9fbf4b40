#pragma once

#include "model/core/event.h"
#include "model/timeline/textsearch.h"

#include <QJsonObject>

#include <cstdio>
#include <optional>

namespace TlsLab::Cli {

// Writes events to stdout as they happen: one compact JSON object per line (the default), one human-readable line
// (text), or CSV with a header line, in the very formats of the window's timeline export. With a filter, only events
// whose summary matches it are written (the window's search rule). Every line is flushed at once so that scripts and
// tests can follow the stream.
class EventPrinter
{
public:
    enum class Format { Json, Text, Csv };

    explicit EventPrinter(Format format, FILE *out = stdout)
        : m_format(format)
        , m_out(out)
    { }
    void setFilter(const Model::TextSearch &filter) { m_filter = filter; }
    void print(const Model::Event &event) const;
    void printObject(const QJsonObject &object) const; // JSON only
    void printLine(const QString &line) const; // text only
    bool isText() const { return m_format == Format::Text; }
    Format format() const { return m_format; }

private:
    void write(const QByteArray &bytes) const;

    Format m_format;
    FILE *m_out;
    std::optional<Model::TextSearch> m_filter;
    mutable bool m_csvHeaderWritten = false;
};

} // namespace TlsLab::Cli
