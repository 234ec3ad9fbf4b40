#pragma once

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>

namespace TlsLab::Test {

// A free TCP port on 127.0.0.1 (bound and released; good enough for tests that start a server right away).
quint16 freePort();

// Runs a peer program (openssl, gnutls-cli, curl, ncat, tlslab) with a bound lifetime; kills it on destruction.
// When the program has ended, a sanitizer report on its stderr (the asan preset's tlslab) fails the running test.
class PeerProcess
{
public:
    PeerProcess() = default;
    ~PeerProcess();
    PeerProcess(const PeerProcess &) = delete;
    PeerProcess &operator=(const PeerProcess &) = delete;

    bool start(
        const QString &program, const QStringList &arguments, const QByteArray &input = {}, bool closeInput = true);
    // Waits for exit while running the event loop; returns false on timeout (the process is then killed).
    bool finish(int timeoutMs = 15000);
    // Waits (event loop running) until stdout or stderr contains needle.
    bool waitForOutput(const QByteArray &needle, int timeoutMs = 10000);
    int exitCode() const { return m_process.exitCode(); }
    QByteArray output(); // stdout so far
    QByteArray errorOutput(); // stderr so far
    QProcess &process() { return m_process; }

    // Runs to completion (event loop running); returns stdout+stderr.
    static QByteArray run(const QString &program, const QStringList &arguments, const QByteArray &input = {},
        int *exitCode = nullptr, int timeoutMs = 15000);

private:
    void failOnSanitizerReport();

    QProcess m_process;
    QByteArray m_out, m_err;
    bool m_sanitizerChecked = false;
};

} // namespace TlsLab::Test
