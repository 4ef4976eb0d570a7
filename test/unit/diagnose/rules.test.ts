import t from 'tap';
import { Diagnoser, diagnoseLine } from '../../../agent/diagnose/diagnose.js';
import { BUILTIN_RULES } from '../../../agent/diagnose/rules.js';
import { CAUSE_SEVERITY } from '../../../agent/diagnose/severity.js';

// Real-looking lines as different library and Slurm versions print them, per cause id.
const VARIANTS: Record<string, string[]> = {
  'disk-quota': [
    'OSError: [Errno 122] Disk quota exceeded',
    "OSError: [Errno 122] Disk quota exceeded: '/cluster/work/users/digifarm/emb/outputs/shards/aef/shard-000123.tar'",
    "cp: error writing '/cluster/home/digifarm/big.npy': Disk quota exceeded",
    'rsync: write failed on "/cluster/home/digifarm/x": Disk quota exceeded (122)',
    'RuntimeError: [enforce fail at inline_container.cc:603] . PytorchStreamWriter failed writing file data/12: file write failed',
    'tar: shard-000007.tar: Cannot write: Disk quota exceeded',
    'write error: EDQUOT',
  ],
  'no-space': [
    'OSError: [Errno 28] No space left on device',
    "cp: error writing '/tmp/tile.tif': No space left on device",
    'ERROR 3: Free disk space available is 0 bytes, whereas 12 is at least necessary. No space left on device',
  ],
  'proj-db': [
    'rasterio.errors.CRSError: The EPSG code is unknown. PROJ: proj_create_from_database: crs not found',
    'CRSError: The EPSG code is unknown. PROJ: internal_proj_create_from_database: /opt/conda/lib/python3.11/site-packages/pyproj/proj_dir/share/proj/proj.db contains DATABASE.LAYOUT.VERSION.MINOR = 4 whereas a number >= 6 is expected. It comes from another PROJ installation.',
    'ERROR 1: PROJ: proj_create_from_database: /opt/conda/share/proj/proj.db contains DATABASE.LAYOUT.VERSION.MINOR = 4 whereas a number >= 6 is expected. It comes from another PROJ installation.',
    'pyproj.exceptions.CRSError: Invalid projection: EPSG:5070: (Internal Proj Error: proj_create: no database context specified)',
    'ERROR 1: PROJ: proj_create_from_name: Cannot find proj.db',
    'Warning 1: PROJ: proj_identify: Cannot find proj.db',
    'pyproj.exceptions.CRSError: Invalid projection: epsg:32633: (Internal Proj Error: proj_create: crs not found)',
    'CPLE_AppDefinedError: PROJ: proj_create_from_database: Open of /opt/conda/share/proj/proj.db failed',
  ],
  'python-path': [
    "ModuleNotFoundError: No module named 'src'",
    "ModuleNotFoundError: No module named 'src.data'",
    "    from src.models.segformer import build ModuleNotFoundError: No module named 'src.models'",
    "/opt/conda/bin/python: Error while finding module specification for 'src.train' (ModuleNotFoundError: No module named 'src')",
    'ImportError: No module named src.utils',
  ],
  'module-not-found': [
    "ModuleNotFoundError: No module named 'webdataset'",
    "ModuleNotFoundError: No module named 'torch'",
    'ImportError: No module named rasterio',
  ],
  'library-missing': [
    'ImportError: libGL.so.1: cannot open shared object file: No such file or directory',
    'python: error while loading shared libraries: libpython3.11.so.1.0: cannot open shared object file: No such file or directory',
  ],
  'container-missing': [
    'FATAL:   could not open image /cluster/projects/nn12037k/emb/containers/emb.sif: failed to retrieve path for /cluster/projects/nn12037k/emb/containers/emb.sif: lstat /cluster/projects/nn12037k/emb/containers/emb.sif: no such file or directory',
    'FATAL:   image file /cluster/projects/nn12037k/emb/containers/emb.sif not found',
    '/var/spool/slurmd/job1234/slurm_script: line 14: apptainer: command not found',
    'bash: singularity: command not found',
  ],
  'modules-missing': [
    '/var/spool/slurmd/job77/slurm_script: line 9: module: command not found',
    'bash: module: not found',
  ],
  'gpu-missing': [
    'RuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and installed a driver',
    'RuntimeError: No CUDA GPUs are available',
    'RuntimeError: CUDA error: no CUDA-capable device is detected',
    'WARNING: Could not find any nv files on this host!',
  ],
  'cuda-oom': [
    'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 39.39 GiB of which 1.12 GiB is free.',
    'torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 512.00 MiB (GPU 3; 39.39 GiB total capacity; 36.10 GiB already allocated)',
    'RuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB (GPU 0; 39.59 GiB total capacity; 38.2 GiB already allocated; 3.19 MiB free)',
    'RuntimeError: CUDA error: out of memory',
    'RuntimeError: CUDA error: CUBLAS_STATUS_ALLOC_FAILED when calling `cublasCreate(handle)`',
    'jaxlib.xla_extension.XlaRuntimeError: RESOURCE_EXHAUSTED: Out of memory while trying to allocate 4294967296 bytes.',
  ],
  'oom-kill': [
    'slurmstepd: error: Detected 1 oom_kill event in StepId=1234.batch. Some of the step tasks have been OOM Killed.',
    'slurmstepd: error: Detected 3 oom-kill event(s) in step 1234.batch cgroup. Some of your processes may have been killed by the cgroup out-of-memory handler.',
    '[2026-03-28T14:27:13.072] error: Detected 1 oom_kill event in StepId=10483536.batch.',
    'srun: error: b2201: task 0: Out Of Memory',
    'slurmstepd: error: Job 1234 exceeded memory limit (8500000 > 8388608), being killed',
    'slurmstepd: error: OOM detected for task 0',
  ],
  'sbatch-rejected': [
    'sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified',
    'sbatch: error: Batch job submission failed: Requested node configuration is not available',
    'sbatch: error: Memory specification can not be satisfied',
    'sbatch: error: --mem is not allowed on partition normal',
    "sbatch: error: Batch job submission failed: Job violates accounting/QOS policy (job submit limit, user's size and/or time limits)",
    'Batch job submission failed: Invalid partition name specified',
  ],
  'time-limit': [
    'slurmstepd: error: *** JOB 1234 ON node1 CANCELLED AT 2026-11-28T12:00:00 DUE TO TIME LIMIT ***',
    'slurmstepd: error: *** STEP 1234.0 ON b3301 CANCELLED AT 2026-11-28T12:00:00 DUE TO TIME LIMIT ***',
    'slurmstepd: error: *** JOB 98765 CANCELLED AT 2021-03-01T08:00:01 DUE TO TIME LIMIT ***',
    'srun: error: *** STEP 1234.0 CANCELLED AT 2026-11-28T12:00:00 DUE TO TIME LIMIT ***',
    'slurmstepd-b1234: error: *** JOB 555 ON b1234 CANCELLED AT 2026-01-02T03:04:05 DUE TO TIME LIMIT ***',
  ],
  preempted: [
    'slurmstepd: error: *** JOB 1234 ON node1 CANCELLED AT 2026-11-28T12:00:00 DUE TO PREEMPTION ***',
  ],
  'node-fail': [
    'slurmstepd: error: *** JOB 1234 ON b1100 CANCELLED AT 2026-11-28T12:00:00 DUE TO NODE FAILURE, SEE SLURMCTLD LOG FOR DETAILS ***',
    'slurmstepd: error: *** JOB 1234 CANCELLED AT 2020-11-28T12:00:00 DUE TO NODE FAILURE ***',
    'srun: error: Node failure on b1100',
  ],
  cancelled: [
    'slurmstepd: error: *** JOB 1234 ON node1 CANCELLED AT 2026-11-28T12:00:00 ***',
    'slurmstepd: error: *** STEP 1234.batch ON node1 CANCELLED AT 2026-11-28T12:00:00 ***',
    'slurmstepd: error: *** JOB 1234 ON node1 CANCELLED AT 2026-11-28T12:00:00 DUE TO JOB REQUEUE ***',
  ],
  'job-failed': [
    'slurmstepd: error: *** JOB 1234 ON node1 FAILED (non-zero exit code or other failure mode) ***',
  ],
  killed: [
    '/var/spool/slurmd/job4197661/slurm_script: line 25: 1613720 Killed                  python -m src.build_shards',
    '  exitcode  : -9 (pid: 12345)',
    'Signal 9 (SIGKILL) received by PID 4242',
  ],
  'nccl-error': [
    '[rank2]:[E ProcessGroupNCCL.cpp:616] [Rank 2] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=4, OpType=ALLREDUCE) ran for 600000 milliseconds before timing out.',
    'torch.distributed.DistBackendError: NCCL error in: ../torch/csrc/distributed/c10d/NCCLUtils.hpp:275, unhandled cuda error',
    'RuntimeError: NCCL communicator was aborted on rank 1.',
  ],
  'sas-expired': [
    'HTTP 403 AuthenticationFailed: Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.',
    '<Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request.</Message><AuthenticationErrorDetail>Signature not valid in the specified time frame: Start [Fri, 27 Nov 2026 10:00:00 GMT] - Expiry [Fri, 27 Nov 2026 11:00:00 GMT] - Current [Fri, 27 Nov 2026 11:20:00 GMT]</AuthenticationErrorDetail></Error>',
    "rasterio.errors.RasterioIOError: '/vsicurl/https://cpdataeuwest.blob.core.windows.net/cdl/cdl_2023_conus.tif?st=2026-11-27T10%3A00%3A00Z&se=2026-11-27T11%3A00%3A00Z&sp=rl&sv=2024-05-04&sr=c&sig=AbCdEf1234%2Bxyz%3D' does not exist in the file system, and is not recognized as a supported dataset name.",
    'ERROR 1: HTTP response code: 403 /vsicurl/https://landcoverdata.blob.core.windows.net/usda-cdl/2023.tif',
    'azure.core.exceptions.ClientAuthenticationError: Server failed to authenticate the request. ErrorCode:AuthenticationFailed',
    'requests.exceptions.HTTPError: 403 Client Error: This request is not authorized to perform this operation. for url: https://x.blob.core.windows.net/c/a.tif?se=2026-11-27&sig=zz',
  ],
  'remote-unreadable': [
    "rasterio.errors.RasterioIOError: '/vsicurl/https://data.source.coop/tge-labs/aef/v1/2023/x.tif' does not exist in the file system, and is not recognized as a supported dataset name.",
  ],
  'http-502': [
    "aiohttp.client_exceptions.ClientResponseError: 502, message='Bad Gateway', url=URL('https://data.source.coop/tge-labs/aef/v1/annual/2023/10N/x.tiff')",
    'requests.exceptions.HTTPError: 502 Server Error: Bad Gateway for url: https://data.source.coop/tge-labs/aef/index.parquet',
    'ERROR 1: HTTP response code: 502',
    'rasterio._err.CPLE_HttpResponseError: HTTP response code: 502',
    "urllib3.exceptions.MaxRetryError: HTTPSConnectionPool(host='data.source.coop', port=443): Max retries exceeded with url: /x (Caused by ResponseError('too many 502 error responses'))",
    'botocore.exceptions.ClientError: An error occurred (502) when calling the GetObject operation (reached max retries: 4): Bad Gateway',
    'obstore.exceptions.GenericError: Server returned non-2xx status code: 502 Bad Gateway',
  ],
  'http-429': [
    '{"statusCode": 429, "message": "Rate limit is exceeded. Try again in 23 seconds."}',
    'requests.exceptions.HTTPError: 429 Client Error: Too Many Requests for url: https://planetarycomputer.microsoft.com/api/sas/v1/token/usda-cdl',
    'ERROR 1: HTTP response code: 429',
  ],
  'gdal-http-timeout': [
    'ERROR 1: CURL error: Operation timed out after 60000 milliseconds with 0 bytes received',
    'rasterio._err.CPLE_HttpResponseError: CURL error: Connection timed out after 30001 milliseconds',
    "requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='data.source.coop', port=443): Read timed out. (read timeout=60)",
    'aiohttp.client_exceptions.ServerTimeoutError: Timeout on reading data from socket',
  ],
  'no-internet': [
    'ERROR 1: CURL error: Could not resolve host: data.source.coop',
    'socket.gaierror: [Errno -3] Temporary failure in name resolution',
    'urllib3.exceptions.NewConnectionError: <urllib3.connection.HTTPSConnection object at 0x7f>: Failed to establish a new connection: [Errno 101] Network is unreachable',
  ],
};

// Lines a healthy job prints, some close to the patterns, that must not be diagnosed.
const HEALTHY = [
  'Checking quota with dusage before the run',
  'quota: 1.2 TiB used of 20 TiB',
  'Reprojecting tile 502 to EPSG:5070',
  'Using EPSG code 32633 for UTM zone 33N',
  'PROJ_DATA=/opt/conda/lib/python3.11/site-packages/rasterio/proj_data',
  'import src.data.loader as loader  # ok',
  "ModuleNotFoundError handling: retrying without optional dependency 'srcset'",
  'Processed 502 tiles in 40 s',
  'tile 0502 of 1000 written',
  'Fetched SAS token for usda-cdl, expires 2026-11-27T11:00:00Z',
  'CUDA memory summary: 12.3 GiB allocated, 20.1 GiB reserved',
  'PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True',
  'Received SIGTERM, saving checkpoint to outputs/runs/aef_segformer/last.pt',
  'Epoch 12: 100%|██████████| 66/66 [03:48<00:00, 0.29it/s]',
  'sbatch: Submitted batch job 1234',
  'Submitted batch job 1234',
  '--mem=64G --cpus-per-task=16',
  'time limit for this step: 1-00:00:00',
  'Wrote shard shard-3-000012.tar (512 MiB)',
  'killed 3 stale workers from previous attempt',
  '',
];

t.test('every built-in cause has variants here and every variant diagnoses to its cause', async (t) => {
  const causes = new Set(BUILTIN_RULES.map((r) => r.cause));
  for (const cause of causes) t.ok(VARIANTS[cause]?.length, `variants for ${cause}`);
  for (const [cause, lines] of Object.entries(VARIANTS)) {
    t.ok(causes.has(cause), `${cause} is in the catalogue`);
    t.ok(CAUSE_SEVERITY[cause] !== undefined, `${cause} has a severity`);
    for (const line of lines) t.equal(diagnoseLine(line)?.cause, cause, line);
  }
});

t.test('the nine contract causes are all present', async (t) => {
  const causes = new Set(BUILTIN_RULES.map((r) => r.cause));
  for (const c of [
    'disk-quota',
    'proj-db',
    'python-path',
    'http-502',
    'sas-expired',
    'cuda-oom',
    'oom-kill',
    'time-limit',
    'sbatch-rejected',
  ]) {
    t.ok(causes.has(c), c);
  }
});

t.test('healthy lines are not diagnosed', async (t) => {
  for (const line of HEALTHY) t.equal(diagnoseLine(line), null, JSON.stringify(line));
});

t.test('transient scheduler errors are not sbatch rejections', async (t) => {
  t.equal(
    diagnoseLine('sbatch: error: Batch job submission failed: Socket timed out on send/recv operation'),
    null,
  );
  t.equal(diagnoseLine('sbatch: error: Slurm temporarily unable to accept job, sleeping and retrying'), null);
});

t.test('hints are specific where the guide says so', async (t) => {
  t.match(diagnoseLine("ModuleNotFoundError: No module named 'src'")?.hint, /PYTHONPATH/);
  t.match(diagnoseLine('EPSG code unknown')?.hint, /PROJ_DATA/);
  t.match(diagnoseLine('HTTP response code: 502')?.hint, /12-20/);
  t.match(
    diagnoseLine("OSError: [Errno 122] Disk quota exceeded: '/cluster/projects/nn12037k/emb/outputs/x.tar'")
      ?.hint,
    /project space/,
  );
  t.match(diagnoseLine('OSError: [Errno 122] Disk quota exceeded')?.hint, /dusage/);
  t.match(
    diagnoseLine('sbatch: error: --mem is not allowed on partition normal')?.hint,
    /normal partition refuses --mem/,
  );
});

t.test('the diagnosis line is scrubbed of SAS signatures and cut around the match', async (t) => {
  const url = `https://x.blob.core.windows.net/c/${'a'.repeat(600)}.tif?se=2026-11-27&sig=SECRETSECRET%3D`;
  const d = diagnoseLine(
    `RasterioIOError: '/vsicurl/${url}' does not exist in the file system, and is not recognized`,
  );
  t.equal(d?.cause, 'sas-expired');
  t.notMatch(d?.line, /SECRETSECRET/);
  t.ok((d?.line?.length ?? 0) <= 302, 'about 300 characters');
  const long = `${'x'.repeat(5000)} torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB`;
  t.match(diagnoseLine(long)?.line, /CUDA out of memory/, 'the matched part stays in view');
});

t.test('user rules are checked first and can add causes', async (t) => {
  const d = new Diagnoser([
    { cause: 'tile-corrupt', pattern: 'corrupt tile (\\S+)', flags: 'i', hint: 'delete the tile and rerun' },
    { cause: 'disk-quota', pattern: 'Quota exceeded', flags: 'i', hint: 'my own quota hint' },
  ]);
  t.same(d.diagnoseLine('WARNING: Corrupt tile 10N_2023.npy'), {
    cause: 'tile-corrupt',
    hint: 'delete the tile and rerun',
    line: 'WARNING: Corrupt tile 10N_2023.npy',
  });
  t.equal(d.diagnoseLine('OSError: [Errno 122] Disk quota exceeded')?.hint, 'my own quota hint');
  t.ok(d.severity('tile-corrupt') > d.severity('time-limit'), 'unknown user causes rank high');
  t.equal(d.diagnoseLine('HTTP response code: 502')?.cause, 'http-502', 'built-ins still apply');
});

t.test('a user rule with a g flag still matches every line', async (t) => {
  const d = new Diagnoser([{ cause: 'x-err', pattern: 'XERR', flags: 'gi', hint: 'h' }]);
  t.equal(d.diagnoseLine('xerr 1')?.cause, 'x-err');
  t.equal(d.diagnoseLine('xerr 2')?.cause, 'x-err');
});

t.test('an invalid user pattern is refused with its place in the config', async (t) => {
  t.throws(() => new Diagnoser([{ cause: 'bad', pattern: '(unclosed', hint: 'h' }]), {
    code: 'AGENT_ERR_CONFIG',
    message: /diagnose\.rules\.0\.pattern/,
  });
});

t.test('prefer: a more severe cause replaces, an equal one does not', async (t) => {
  const d = new Diagnoser();
  const http = { cause: 'http-502', hint: '' };
  const tl = { cause: 'time-limit', hint: '' };
  const quota = { cause: 'disk-quota', hint: '' };
  const oom = { cause: 'cuda-oom', hint: '' };
  t.ok(d.prefer(null, http));
  t.ok(d.prefer(http, tl));
  t.notOk(d.prefer(tl, http));
  t.ok(d.prefer(tl, quota));
  t.notOk(d.prefer(quota, oom), 'the first of equals stays (root cause first)');
});

t.test('very long lines are matched on their first 8 KiB only', async (t) => {
  t.equal(diagnoseLine(`${'y'.repeat(9000)} CUDA out of memory`), null);
});

t.test(
  'no built-in pattern has two unbounded gaps (a crafted line would make it backtrack for seconds)',
  async (t) => {
    for (const rule of BUILTIN_RULES) {
      for (const re of rule.patterns) {
        const unbounded = re.source.match(/\.[*+]/g) ?? [];
        t.ok(unbounded.length <= 1, `${rule.cause}: ${re.source}`);
      }
    }
  },
);
