import { expect } from 'chai';
import { createLog4jParser } from '../../../src/parsers/log4j-parser.js';

describe('createLog4jParser', () => {
  const parse = createLog4jParser();

  it('parses the Hadoop layout, threads with spaces and colons included', () => {
    expect(
      parse(
        '2015-10-18 18:05:12,404 ERROR [RMCommunicator Allocator] org.apache.hadoop.mapreduce.v2.app.rm.RMContainerAllocator: ERROR IN CONTACTING RM.',
      ),
    ).to.deep.equal({
      time: '2015-10-18T18:05:12.404Z',
      level: 'error',
      thread: 'RMCommunicator Allocator',
      logger: 'org.apache.hadoop.mapreduce.v2.app.rm.RMContainerAllocator',
      msg: 'ERROR IN CONTACTING RM.',
    });
    const lease = parse(
      '2015-10-18 18:10:42,130 WARN [LeaseRenewer:hdfs@node-7:9000] org.apache.hadoop.hdfs.LeaseRenewer: Failed to renew lease for [DFSClient_NONMAPREDUCE_1537864556_1] for 30 seconds.  Will retry shortly ...',
    );
    expect(lease['thread']).to.equal('LeaseRenewer:hdfs@node-7:9000');
    expect(lease.msg).to.equal(
      'Failed to renew lease for [DFSClient_NONMAPREDUCE_1537864556_1] for 30 seconds.  Will retry shortly ...',
    );
  });

  it('keeps colons of the message in the message', () => {
    const event = parse(
      '2015-10-18 18:01:48,963 INFO [main] org.apache.hadoop.mapreduce.v2.app.MRAppMaster: Kind: YARN_AM_RM_TOKEN, Service: , Ident: (appAttemptId { id: 20 })',
    );
    expect(event['logger']).to.equal('org.apache.hadoop.mapreduce.v2.app.MRAppMaster');
    expect(event.msg).to.equal(
      'Kind: YARN_AM_RM_TOKEN, Service: , Ident: (appAttemptId { id: 20 })',
    );
  });

  it('parses the Zookeeper layout, nested brackets in the thread', () => {
    expect(
      parse(
        '2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - Notification time out: 3200',
      ),
    ).to.deep.equal({
      time: '2015-07-29T17:41:44.747Z',
      level: 'info',
      thread: 'QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181',
      logger: 'FastLeaderElection',
      lineNumber: 774,
      msg: 'Notification time out: 3200',
    });
    const broken = parse(
      '2015-07-29 19:04:29,079 - WARN  [SendWorker:188978561024:QuorumCnxManager$SendWorker@679] - Interrupted while waiting for message on queue',
    );
    expect(broken['thread']).to.equal('SendWorker:188978561024');
    expect(broken['logger']).to.equal('QuorumCnxManager$SendWorker');
  });

  it('parses the Spark layout (yy/MM/dd)', () => {
    expect(
      parse(
        '17/06/09 20:11:11 ERROR executor.Executor: Exception in task 1.0 in stage 3.0 (TID 14)',
      ),
    ).to.deep.equal({
      time: '2017-06-09T20:11:11.000Z',
      level: 'error',
      logger: 'executor.Executor',
      msg: 'Exception in task 1.0 in stage 3.0 (TID 14)',
    });
  });

  it('parses the HDFS layout (yyMMdd HHmmss pid)', () => {
    expect(
      parse(
        '081109 214043 2561 WARN dfs.DataNode$DataXceiver: 10.251.30.85:50010:Got exception while serving blk_-2918118818249673980 to /10.251.90.64:',
      ),
    ).to.deep.equal({
      time: '2008-11-09T21:40:43.000Z',
      level: 'warn',
      logger: 'dfs.DataNode$DataXceiver',
      pid: 2561,
      msg: '10.251.30.85:50010:Got exception while serving blk_-2918118818249673980 to /10.251.90.64:',
    });
  });

  it('parses the plain log4j styles, thread first or level first', () => {
    expect(
      parse(
        '2024-02-29 23:59:59,999 [http-nio-8080-exec-3] ERROR com.shop.web.OrderController - Order 991 failed',
      ),
    ).to.deep.equal({
      time: '2024-02-29T23:59:59.999Z',
      level: 'error',
      thread: 'http-nio-8080-exec-3',
      logger: 'com.shop.web.OrderController',
      msg: 'Order 991 failed',
    });
    expect(parse('2024-03-01 08:00:00.100 WARN  [main] com.shop.App - low disk')).to.include({
      level: 'warn',
      thread: 'main',
      logger: 'com.shop.App',
      msg: 'low disk',
    });
    expect(parse('2024-03-01 08:00:00 INFO  Main:12 - started')).to.include({
      logger: 'Main',
      lineNumber: 12,
      msg: 'started',
    });
  });

  it('honours an explicit zone and otherwise the assumed offset', () => {
    expect(parse('2024-03-01T08:00:00.123+0100 INFO [main] a.B: x').time).to.equal(
      '2024-03-01T07:00:00.123Z',
    );
    const west = createLog4jParser({ assumedUtcOffsetMinutes: -300 });
    expect(west('17/06/09 20:11:11 INFO a.B: x').time).to.equal('2017-06-10T01:11:11.000Z');
  });

  it('parses the OpenStack oslo layout', () => {
    expect(
      parse(
        '2017-05-16 00:00:04.562 2931 INFO nova.compute.manager [req-3ea4052c - - - - -] [instance: b9000564] VM Paused (Lifecycle Event)',
      ),
    ).to.deep.equal({
      time: '2017-05-16T00:00:04.562Z',
      level: 'info',
      logger: 'nova.compute.manager',
      pid: 2931,
      msg: '[req-3ea4052c - - - - -] [instance: b9000564] VM Paused (Lifecycle Event)',
    });
  });

  it('falls back to date and level for other ISO layouts', () => {
    expect(parse('2024-03-01 08:00:00,000 FATAL Out of memory, giving up')).to.deep.equal({
      time: '2024-03-01T08:00:00.000Z',
      level: 'fatal',
      msg: 'Out of memory, giving up',
    });
  });

  it('splits a joined stack trace into msg and stack', () => {
    const entry = [
      '2015-10-18 18:05:12,404 ERROR [main] org.apache.hadoop.mapred.YarnChild: Error running child',
      'java.net.ConnectException: Connection refused',
      '\tat sun.nio.ch.SocketChannelImpl.checkConnect(Native Method)',
      '\tat org.apache.hadoop.ipc.Client$Connection.setupConnection(Client.java:607)',
      'Caused by: java.io.IOException: broken pipe',
      '\t... 12 more',
    ].join('\n');
    const event = parse(entry);
    expect(event.msg).to.equal('Error running child');
    expect(event['stack']).to.equal(entry.split('\n').slice(1).join('\n'));
    expect(event.level).to.equal('error');
  });

  it('strips a CRLF line end', () => {
    expect(
      parse('17/06/09 20:10:40 INFO spark.SecurityManager: Changing view acls to: yarn\r').msg,
    ).to.equal('Changing view acls to: yarn');
  });

  it('keeps working when the layout changes between lines', () => {
    const lines = [
      '081109 203615 148 INFO dfs.DataNode$PacketResponder: a',
      '17/06/09 20:10:40 INFO spark.SecurityManager: b',
      '081109 203615 148 INFO dfs.DataNode$PacketResponder: c',
    ];
    expect(lines.map((l) => parse(l).msg)).to.deep.equal(['a', 'b', 'c']);
  });

  it('still prefers a specific layout after a line only the catch-all read', () => {
    const fresh = createLog4jParser();
    expect(fresh('2024-03-01 08:00:00,000 INFO no logger here').msg).to.equal('no logger here');
    expect(fresh('2024-03-01 08:00:01,000 INFO [main] a.B: x')).to.include({
      thread: 'main',
      msg: 'x',
    });
  });

  for (const line of [
    '',
    '\tat org.x.Y.run(Y.java:12)',
    'Caused by: java.lang.NullPointerException',
    '2015-10-18 18:01:47,978 main started',
    '2015-10-18 nope INFO x',
    '12345',
    '2015-10-18 18:01:47,978 INF\uFFFD\uFFFD [main] a.B: x',
  ]) {
    it(`flags ${JSON.stringify(line)} as unparsed`, () => {
      expect(parse(line)).to.deep.equal({ msg: line, parseError: true });
    });
  }

  it('keeps replacement characters of invalid UTF-8 in the message', () => {
    expect(parse('17/06/09 20:10:40 WARN a.B: caf\uFFFD \uFFFD').msg).to.equal('caf\uFFFD \uFFFD');
  });

  it('drops an impossible date but keeps the rest', () => {
    const event = parse('2015-13-45 18:01:47,978 INFO [main] a.B: x');
    expect(event).not.to.have.property('time');
    expect(event).to.include({ level: 'info', msg: 'x' });
  });
});
