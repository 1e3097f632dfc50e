from tortoise import migrations
from tortoise.migrations import operations as ops
from backend.domains.jobs.models import JobRunStatus
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0007_audit_community')]

    initial = False

    operations = [
        ops.CreateModel(
            name='JobRun',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=100)),
                ('occurrence_key', fields.CharField(unique=True, max_length=160)),
                ('status', fields.CharEnumField(default=JobRunStatus.QUEUED, description='QUEUED: queued\nRUNNING: running\nSUCCEEDED: succeeded\nFAILED: failed', enum_type=JobRunStatus, max_length=16)),
                ('attempts', fields.SmallIntField(default=0)),
                ('scheduled_for', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('duration_ms', fields.IntField(null=True)),
                ('error', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'job_run', 'app': 'models', 'indexes': [Index(fields=['name', 'created_at']), Index(fields=['status', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
