#pragma once

#include "model/core/event.h"

#include <QJsonObject>

#include <cstdio>

namespace TlsLab::Cli {

// Writes events to stdout as they happen: one compact JSON object per line, or one human-readable line (--text).
// Every line is flushed at once so that scripts and tests can follow the stream.
class EventPrinter
{
public:
    explicit EventPrinter(bool text, FILE *out = stdout)
        : m_text(text)
        , m_out(out)
    { }
    void print(const Model::Event &event) const;
    void printObject(const QJsonObject &object) const; // JSON mode only
    void printLine(const QString &line) const; // text mode only
    bool isText() const { return m_text; }

private:
    bool m_text;
    FILE *m_out;
};

} // namespace TlsLab::Cli
