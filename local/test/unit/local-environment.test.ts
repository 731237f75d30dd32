import { expect } from 'chai';
import { localEnvironment } from '../../src/index.js';

describe('localEnvironment', function () {
  it('points the SDK at both endpoints with dummy credentials', function () {
    expect(
      localEnvironment({
        kinesisEndpoint: 'http://127.0.0.1:1001',
        dynamodbEndpoint: 'http://127.0.0.1:1002',
      }),
    ).to.deep.equal({
      AWS_ENDPOINT_URL_KINESIS: 'http://127.0.0.1:1001',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:1002',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
  });

  it('leaves out the endpoint of a service that is not running', function () {
    const env = localEnvironment({ dynamodbEndpoint: 'http://127.0.0.1:1002' });
    expect(env).to.not.have.property('AWS_ENDPOINT_URL_KINESIS');
    expect(env).to.have.property('AWS_ENDPOINT_URL_DYNAMODB', 'http://127.0.0.1:1002');
  });
});
