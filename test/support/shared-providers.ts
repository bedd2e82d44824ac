/** The provider instances of the shared test gateway (test/support/global-setup.ts), also used by the benches. */

/** Provider instances of the shared gateway (the conformance suite runs on each). */
export function sharedProviders(fakeRekognitionUrl: string, fakeAzure: { url: string; apiKey: string }): Record<string, unknown>[] {
  return [
    { name: 'local', kind: 'local' },
    {
      name: 'aws',
      kind: 'rekognition',
      region: 'us-east-1',
      endpoint: fakeRekognitionUrl,
      accessKeyId: 'AKIDFAKEFACEGATE',
      secretAccessKey: 'fake-secret',
      maxAttempts: 2,
      // Snapshots to and from AWS need the gateway to keep the images (off by default: biometric data).
      retainImages: true,
    },
    {
      name: 'azure',
      kind: 'azure-face',
      endpoint: fakeAzure.url,
      apiKey: fakeAzure.apiKey,
      trainDebounceMs: 0,
      trainingPollMs: 20,
      retryBaseDelayMs: 20,
    },
  ];
}
