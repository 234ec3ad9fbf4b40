#include "certtestutil.h"

#include <QEventLoop>
#include <QProcess>
#include <QSslConfiguration>
#include <QSslServer>
#include <QSslSocket>
#include <QTimer>

namespace TlsLab::Test {

OpensslRun openssl(const QStringList &arguments, const QByteArray &input, const QString &dir)
{
    QProcess p;
    if (!dir.isEmpty())
        p.setWorkingDirectory(dir);
    p.start(QStringLiteral("openssl"), arguments);
    if (!p.waitForStarted(10000))
        return {};
    if (!input.isEmpty())
        p.write(input);
    p.closeWriteChannel();
    p.waitForFinished(60000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
        p.readAllStandardError()};
}

Handshake handshake(
    const TlsLab::Model::Identity &server, const QList<QSslCertificate> &trusted, const QString &peerName)
{
    Handshake result;
    QSslServer listener;
    QSslConfiguration serverConfig = QSslConfiguration::defaultConfiguration();
    serverConfig.setLocalCertificateChain(server.chain);
    serverConfig.setPrivateKey(server.key.toSslKey());
    serverConfig.setPeerVerifyMode(QSslSocket::VerifyNone);
    listener.setSslConfiguration(serverConfig);
    if (!listener.listen(QHostAddress::LocalHost, 0)) {
        result.serverError = listener.errorString();
        return result;
    }
    QObject::connect(&listener, &QSslServer::errorOccurred, &listener,
        [&result](QSslSocket *, QAbstractSocket::SocketError) { result.serverError = QStringLiteral("error"); });
    QObject::connect(
        &listener, &QSslServer::sslErrors, &listener, [&result](QSslSocket *, const QList<QSslError> &errors) {
            if (!errors.isEmpty())
                result.serverError = errors.first().errorString();
        });

    QSslSocket client;
    QSslConfiguration clientConfig = QSslConfiguration::defaultConfiguration();
    clientConfig.setCaCertificates(trusted);
    clientConfig.setPeerVerifyMode(QSslSocket::VerifyPeer);
    client.setSslConfiguration(clientConfig);
    client.setPeerVerifyName(peerName);
    QEventLoop loop;
    QTimer::singleShot(10000, &loop, &QEventLoop::quit);
    QObject::connect(&client, &QSslSocket::encrypted, &loop, [&] {
        result.encrypted = true;
        loop.quit();
    });
    QObject::connect(
        &client, &QSslSocket::sslErrors, &loop, [&](const QList<QSslError> &errors) { result.clientErrors = errors; });
    QObject::connect(&client, &QSslSocket::errorOccurred, &loop, [&](QAbstractSocket::SocketError) {
        result.clientError = client.errorString();
        loop.quit();
    });
    client.connectToHostEncrypted(QStringLiteral("127.0.0.1"), listener.serverPort(), peerName);
    loop.exec();
    client.abort();
    return result;
}

bool hasError(const Handshake &h, QSslError::SslError error)
{
    for (const QSslError &e : h.clientErrors) {
        if (e.error() == error)
            return true;
    }
    return false;
}

} // namespace TlsLab::Test
