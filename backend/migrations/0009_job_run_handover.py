from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0008_job_runs')]

    initial = False

    operations = [
        ops.AddField(
            model_name='JobRun',
            name='arg',
            field=fields.BigIntField(null=True),
        ),
        ops.AddField(
            model_name='JobRun',
            name='enqueued_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
