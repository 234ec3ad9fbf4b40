#include "peerprocess.h"

#include <QTcpServer>
#include <QTest>

namespace TlsLab::Test {

quint16 freePort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 0;
    return server.serverPort();
}

PeerProcess::~PeerProcess()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
    failOnSanitizerReport();
}

bool PeerProcess::start(const QString &program, const QStringList &arguments, const QByteArray &input, bool closeInput)
{
    m_process.start(program, arguments);
    if (!m_process.waitForStarted(10000))
        return false;
    if (!input.isEmpty())
        m_process.write(input);
    if (closeInput)
        m_process.closeWriteChannel();
    return true;
}

bool PeerProcess::finish(int timeoutMs)
{
    // Keep the event loop running: the peer may be talking to a server in this very process.
    if (!QTest::qWaitFor([this] { return m_process.state() == QProcess::NotRunning; }, timeoutMs)) {
        m_process.kill();
        m_process.waitForFinished(5000);
        return false;
    }
    failOnSanitizerReport();
    return true;
}

bool PeerProcess::waitForOutput(const QByteArray &needle, int timeoutMs)
{
    return QTest::qWaitFor([&] { return output().contains(needle) || errorOutput().contains(needle); }, timeoutMs);
}

QByteArray PeerProcess::output()
{
    m_out += m_process.readAllStandardOutput();
    return m_out;
}

QByteArray PeerProcess::errorOutput()
{
    m_err += m_process.readAllStandardError();
    return m_err;
}

// Under the asan preset a report makes tlslab exit with the sanitizers' exit code (CMakePresets.json), which the tests
// that compare exit codes catch; but a server the test kills at its end, or one whose exit code it does not read,
// would hide it. Hence the check of stderr once the program has ended, whatever the test does with it.
void PeerProcess::failOnSanitizerReport()
{
    if (m_sanitizerChecked || m_process.state() != QProcess::NotRunning)
        return;
    m_sanitizerChecked = true;
    const QByteArray err = errorOutput();
    // The last line of every report: "SUMMARY: AddressSanitizer: heap-use-after-free ...", "SUMMARY:
    // AddressSanitizer: 24 byte(s) leaked ..." (LeakSanitizer inside ASan), "SUMMARY: UndefinedBehaviorSanitizer: ...".
    for (const char *summary :
        {"SUMMARY: AddressSanitizer", "SUMMARY: LeakSanitizer", "SUMMARY: UndefinedBehaviorSanitizer"}) {
        if (err.contains(summary)) {
            qWarning().noquote() << m_process.program() << "reported:\n" << QString::fromLocal8Bit(err);
            const QByteArray message = m_process.program().toLocal8Bit() + QByteArray(" ended with a sanitizer report");
            QTest::qFail(message.constData(), __FILE__, __LINE__);
            return;
        }
    }
}

QByteArray PeerProcess::run(
    const QString &program, const QStringList &arguments, const QByteArray &input, int *exitCode, int timeoutMs)
{
    PeerProcess p;
    if (!p.start(program, arguments, input))
        return QByteArray("cannot start ") + program.toUtf8();
    const bool finished = p.finish(timeoutMs);
    if (exitCode)
        *exitCode = finished ? p.exitCode() : -1;
    return p.output() + p.errorOutput();
}

} // namespace TlsLab::Test
